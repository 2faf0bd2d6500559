using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// g(z) = 1 / (1 + e^(−z)); backward from the output, as PyTorch's sigmoid_backward:
/// dZ = dA · (1 − a) · a. Saturates cleanly: g(−300) = 0 and g(300) = 1 in float32, with zero
/// gradient there.
/// Thread-safe: immutable.
/// </summary>
public sealed class Sigmoid : ElementwiseActivation
{
    public static Sigmoid Instance { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Instance, _ => Instance);

    private Sigmoid()
    {
    }

    public override string Name => "sigmoid";

    public override double Derivative(double z, double a) => a * (1 - a);

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = T.One / (T.One + T.Exp(-z[i]));
        }
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        for (int i = 0; i < z.Length; i++)
        {
            dZ[i] = dA[i] * (T.One - a[i]) * a[i];
        }
    }
}
