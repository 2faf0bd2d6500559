using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// g(z) = max(0, z); g'(z) = 1 for z &gt; 0 and 0 otherwise, so ReLU'(0) = 0, as PyTorch.
/// Forward keeps z unless z &lt; 0, as PyTorch's clamp_min: NaN passes through and relu(−0) = −0.
/// Backward, like PyTorch's
/// threshold_backward, tests the output: dZ = (a &lt;= 0) ? 0 : dA, so a NaN output passes dA on.
/// Thread-safe: immutable.
/// </summary>
public sealed class Relu : ElementwiseActivation
{
    public static Relu Instance { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Instance, _ => Instance);

    private Relu()
    {
    }

    public override string Name => "relu";

    public override double Derivative(double z, double a) => z > 0 ? 1 : 0;

    public override bool? Piece(double z) => z > 0;

    public override bool IsKink(double z) => z == 0;

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = z[i] < T.Zero ? T.Zero : z[i];
        }
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        for (int i = 0; i < z.Length; i++)
        {
            dZ[i] = a[i] <= T.Zero ? T.Zero : dA[i];
        }
    }
}
