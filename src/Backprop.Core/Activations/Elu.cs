using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Activations;

/// <summary>
/// g(z) = z for z &gt; 0, α·(e^z − 1) otherwise; g'(z) = 1 for z &gt; 0, α·e^z otherwise. z = 0
/// takes the negative branch (g'(0) = α), and NaN the positive one, as PyTorch's elu kernels,
/// which test z ≤ 0. Default α = 1. e^z − 1 is expm1, as libtorch's: exact near 0, and −0 stays −0.
/// <para>
/// At z = NaN libtorch's two kernels disagree in backward: the scalar one tests z ≤ 0 and passes
/// dA through, the vectorised one tests z &gt; 0 and returns NaN. Which runs depends on the tensor's
/// size (measured with AVX-512: the scalar one below 32 floats or 16 doubles). The core follows
/// the scalar kernel.
/// </para>
/// Thread-safe: immutable.
/// </summary>
public sealed class Elu(double alpha = 1) : ElementwiseActivation
{
    public static Elu Default { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Default, s => new Elu(s.Number("alpha")), new Elu(0.5));

    public double Alpha { get; } = double.IsFinite(alpha)
        ? alpha
        : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be finite");

    public override string Name => "elu";

    public override IReadOnlyList<Setting> Settings => [new("alpha", Alpha)];

    public override double Derivative(double z, double a) => z <= 0 ? Alpha * Math.Exp(z) : 1;

    public override bool? Piece(double z) => z > 0;

    public override bool IsKink(double z) => z == 0;

    public override string ToString() => Alpha == 1 ? Name : $"{Name}(alpha={Alpha})";

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        T alpha = T.CreateChecked(Alpha);
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = z[i] <= T.Zero ? ScalarMath.ExpM1(z[i]) * alpha : z[i];
        }
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        T alpha = T.CreateChecked(Alpha);
        for (int i = 0; i < z.Length; i++)
        {
            dZ[i] = z[i] <= T.Zero ? dA[i] * alpha * T.Exp(z[i]) : dA[i];
        }
    }
}
