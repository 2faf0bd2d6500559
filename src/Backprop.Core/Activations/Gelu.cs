using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Activations;

/// <summary>
/// GELU, as PyTorch's gelu. Exact (approximate "none"): g(z) = z·Φ(z) = z·½·(1 + erf(z/√2)),
/// g'(z) = Φ(z) + z·φ(z). Tanh approximation: g(z) = ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))),
/// differentiated as that formula. Each is computed in PyTorch's operation order.
/// <para>
/// erf is accurate to about an ulp in both dtypes. On tensors of two or more elements libtorch's
/// float32 exact GELU uses a fast erf approximation instead: its results differ from the core's
/// within the float32 tolerance (gelu(−3): libtorch −0.004050225, true −0.0040496946), except at
/// +∞, where libtorch float32 gives NaN and the core, like libtorch float64, gives +∞.
/// </para>
/// Thread-safe: immutable.
/// </summary>
public sealed class Gelu : ElementwiseActivation
{
    private const double Sqrt1Over2 = 0.70710678118654752440;   // M_SQRT1_2
    private const double TwoOverSqrtPi = 1.12837916709551257390; // M_2_SQRTPI
    private const double Sqrt2 = 1.41421356237309504880;         // M_SQRT2
    private const double Kappa = 0.044715;

    private Gelu(bool tanhApproximation) => TanhApproximation = tanhApproximation;

    public static Gelu Exact { get; } = new(false);

    public static Gelu TanhApproximate { get; } = new(true);

    public static Kind<Activation> Kind { get; } = new(Exact, s => ByApproximation(s.Word("approximate")), TanhApproximate);

    public bool TanhApproximation { get; }

    /// <summary>PyTorch's <c>approximate</c> argument: "none" or "tanh".</summary>
    public string Approximate => TanhApproximation ? "tanh" : "none";

    public override string Name => "gelu";

    public override IReadOnlyList<Setting> Settings => [new("approximate", Approximate)];

    /// <summary>PyTorch's <c>approximate</c> argument: "none" (erf) or "tanh".</summary>
    public static Gelu ByApproximation(string approximate) => approximate switch
    {
        "none" => Exact,
        "tanh" => TanhApproximate,
        _ => throw new SettingException("approximate", $"expected \"none\" or \"tanh\", got \"{approximate}\""),
    };

    public override double Derivative(double z, double a)
    {
        if (!TanhApproximation)
        {
            return (0.5 * (1 + ScalarMath.Erf(z / Math.Sqrt(2)))) + (z * Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI));
        }

        double k = Math.Sqrt(2 / Math.PI), t = Math.Tanh(k * (z + (0.044715 * z * z * z)));
        return (0.5 * (1 + t)) + (0.5 * z * (1 - (t * t)) * k * (1 + (3 * 0.044715 * z * z)));
    }

    public override string ToString() => TanhApproximation ? "gelu(approximate=tanh)" : Name;

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        T half = T.CreateChecked(0.5);
        if (TanhApproximation)
        {
            T beta = T.CreateChecked(Sqrt2 * TwoOverSqrtPi * 0.5), kappa = T.CreateChecked(Kappa);
            for (int i = 0; i < z.Length; i++)
            {
                T x = z[i];
                T inner = beta * (x + (kappa * (x * x * x)));
                a[i] = half * x * (T.One + T.Tanh(inner));
            }
        }
        else
        {
            T alpha = T.CreateChecked(Sqrt1Over2);
            for (int i = 0; i < z.Length; i++)
            {
                T x = z[i];
                a[i] = x * half * (T.One + ScalarMath.Erf(x * alpha));
            }
        }
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        T half = T.CreateChecked(0.5);
        if (TanhApproximation)
        {
            T beta = T.CreateChecked(Sqrt2 * TwoOverSqrtPi * 0.5), kappa = T.CreateChecked(Kappa), three = T.CreateChecked(3);
            for (int i = 0; i < z.Length; i++)
            {
                T x = z[i];
                T xSquared = x * x;
                T tanhInner = T.Tanh(beta * (x + (kappa * (xSquared * x))));
                T left = half * x;
                T right = T.One + tanhInner;
                T leftDerivative = half * right;
                T tanhDerivative = T.FusedMultiplyAdd(-tanhInner, tanhInner, T.One); // as Tanh: fused, as libtorch's kernel
                T innerDerivative = beta * (T.One + (three * kappa * xSquared));
                T rightDerivative = left * tanhDerivative * innerDerivative;
                dZ[i] = dA[i] * (leftDerivative + rightDerivative);
            }
        }
        else
        {
            T alpha = T.CreateChecked(Sqrt1Over2), beta = T.CreateChecked(TwoOverSqrtPi * Sqrt1Over2 * 0.5);
            T minusHalf = -half;
            for (int i = 0; i < z.Length; i++)
            {
                T x = z[i];
                T cdf = half * (T.One + ScalarMath.Erf(x * alpha));
                T pdf = beta * T.Exp(x * x * minusHalf);
                dZ[i] = dA[i] * (cdf + (x * pdf));
            }
        }
    }
}
