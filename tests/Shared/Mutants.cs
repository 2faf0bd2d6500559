using Backprop.Core.Activations;

namespace Backprop.Testing;

/// <summary>
/// ReLU with ≥ where PyTorch uses &gt;: ReLU'(0) = 1 instead of 0. A classic backprop bug, kept so
/// that both test suites can show they catch it.
/// </summary>
public sealed class ReluOneAtZero : ElementwiseActivation
{
    public override string Name => "relu";

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a) => Relu.Instance.Forward(z, a);

    // The witness's formula stays right: the bug is in the kernel.
    public override double Derivative(double z, double a) => Relu.Instance.Derivative(z, a);

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        for (int i = 0; i < z.Length; i++)
        {
            dZ[i] = z[i] >= T.Zero ? dA[i] : T.Zero;
        }
    }
}
