using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// SiLU (swish), as PyTorch's silu: g(z) = z·σ(z), computed as z / (1 + e^(−z));
/// g'(z) = σ(z)·(1 + z·(1 − σ(z))), with σ(z) = 1 / (1 + e^(−z)) formed again from z, in the
/// order of PyTorch's silu_backward kernel: dZ = dA·σ·(1 + z·(1 − σ)). Smooth everywhere: no
/// kink. At z = −∞ both are NaN (−∞/∞), as in libtorch.
/// Thread-safe: immutable.
/// </summary>
public sealed class Silu : ElementwiseActivation
{
    public static Silu Instance { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Instance, _ => Instance);

    private Silu()
    {
    }

    public override string Name => "silu";

    public override double Derivative(double z, double a)
    {
        double sigma = 1 / (1 + Math.Exp(-z));
        return sigma * (1 + (z * (1 - sigma)));
    }

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = z[i] / (T.One + T.Exp(-z[i]));
        }
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        for (int i = 0; i < z.Length; i++)
        {
            T sigma = T.One / (T.One + T.Exp(-z[i]));
            dZ[i] = dA[i] * sigma * (T.One + (z[i] * (T.One - sigma)));
        }
    }
}
