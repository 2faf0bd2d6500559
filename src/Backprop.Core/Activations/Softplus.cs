using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Activations;

/// <summary>
/// g(z) = log(1 + e^(β·z)) / β, and linear (g(z) = z) where β·z &gt; threshold, as PyTorch;
/// g'(z) = e^(β·z) / (e^(β·z) + 1), and 1 above the threshold. Defaults β = 1, threshold = 20.
/// Thread-safe: immutable.
/// </summary>
public sealed class Softplus(double beta = 1, double threshold = 20) : ElementwiseActivation
{
    public static Softplus Default { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Default, s => new Softplus(s.Number("beta"), s.Number("threshold")), new Softplus(2, 5));

    public double Beta { get; } = double.IsFinite(beta) && beta != 0
        ? beta
        : throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be finite and not 0");

    public double Threshold { get; } = double.IsFinite(threshold)
        ? threshold
        : throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold must be finite");

    public override string Name => "softplus";

    public override IReadOnlyList<Setting> Settings => [new("beta", Beta), new("threshold", Threshold)];

    public override double Derivative(double z, double a) => Beta * z > Threshold ? 1 : 1 / (1 + Math.Exp(-Beta * z));

    /// <summary>Linear above the threshold: the two pieces meet without a kink in value, but their formulas differ.</summary>
    public override bool? Piece(double z) => z * Beta > Threshold;

    public override string ToString() => Beta == 1 && Threshold == 20 ? Name : $"{Name}(beta={Beta}, threshold={Threshold})";

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        T beta = T.CreateChecked(Beta), threshold = T.CreateChecked(Threshold);
        for (int i = 0; i < z.Length; i++)
        {
            T bz = z[i] * beta;
            a[i] = bz > threshold ? z[i] : ScalarMath.Log1P(T.Exp(bz)) / beta;
        }
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        T beta = T.CreateChecked(Beta), threshold = T.CreateChecked(Threshold);
        for (int i = 0; i < z.Length; i++)
        {
            T bz = z[i] * beta;
            T e = T.Exp(bz);
            dZ[i] = bz > threshold ? dA[i] : dA[i] * e / (e + T.One);
        }
    }
}
