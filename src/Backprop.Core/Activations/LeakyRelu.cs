using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// g(z) = z for z &gt; 0, slope·z otherwise; g'(z) = 1 for z &gt; 0 and slope otherwise, so at 0 the
/// gradient is the slope, as PyTorch's leaky_relu_backward (which tests the input z).
/// Thread-safe: immutable.
/// </summary>
public sealed class LeakyRelu(double negativeSlope = 0.01) : ElementwiseActivation
{
    public static LeakyRelu Default { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Default, s => new LeakyRelu(s.Number("negative_slope")), new LeakyRelu(0.2));

    public double NegativeSlope { get; } = double.IsFinite(negativeSlope)
        ? negativeSlope
        : throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "the slope must be finite");

    public override string Name => "leaky_relu";

    public override IReadOnlyList<Setting> Settings => [new("negative_slope", NegativeSlope)];

    public override double Derivative(double z, double a) => z > 0 ? 1 : NegativeSlope;

    public override bool? Piece(double z) => z > 0;

    public override bool IsKink(double z) => z == 0;

    public override string ToString() => NegativeSlope == 0.01 ? Name : $"{Name}(negative_slope={NegativeSlope})";

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        T slope = T.CreateChecked(NegativeSlope);
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = z[i] > T.Zero ? z[i] : z[i] * slope;
        }
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        T slope = T.CreateChecked(NegativeSlope);
        for (int i = 0; i < z.Length; i++)
        {
            dZ[i] = z[i] > T.Zero ? dA[i] : dA[i] * slope;
        }
    }
}
