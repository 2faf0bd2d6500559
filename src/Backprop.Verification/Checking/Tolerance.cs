namespace Backprop.Verification;

/// <summary>
/// The rule of <c>torch.testing.assert_close</c>: an actual value a matches an expected value e
/// when |a − e| ≤ atol + rtol·|e|. NaN matches NaN, and an infinity matches the same infinity.
/// Thread-safe: a value.
/// </summary>
public readonly record struct Tolerance
{
    public Tolerance(double rtol, double atol)
    {
        if (!(double.IsFinite(rtol) && rtol >= 0) || !(double.IsFinite(atol) && atol >= 0))
        {
            throw new ArgumentOutOfRangeException(
                double.IsFinite(rtol) && rtol >= 0 ? nameof(atol) : nameof(rtol),
                $"rtol and atol must be finite and not negative, got rtol {rtol}, atol {atol}");
        }

        (Rtol, Atol) = (rtol, atol);
    }

    public double Rtol { get; }

    public double Atol { get; }

    /// <summary>assert_close's default for float32.</summary>
    public static Tolerance Float32 { get; } = new(1.3e-6, 1e-5);

    /// <summary>assert_close's default for float64.</summary>
    public static Tolerance Float64 { get; } = new(1e-7, 1e-7);

    public static Tolerance For(DType dtype) => dtype == DType.Float32 ? Float32 : Float64;

    /// <summary>
    /// The largest |a − e| accepted for the expected value e. A non-finite e allows no difference
    /// at all: NaN and ±∞ match only themselves (atol + rtol·∞ would otherwise accept anything).
    /// </summary>
    public double Allowed(double expected) => double.IsFinite(expected) ? Atol + (Rtol * Math.Abs(expected)) : 0;

    /// <summary>|a − e|, with NaN = NaN and equal infinities at distance 0, any other NaN or ∞ mismatch at +∞.</summary>
    public static double Distance(double actual, double expected)
    {
        if (actual.Equals(expected))
        {
            return 0; // covers NaN = NaN and ∞ = ∞
        }

        double d = Math.Abs(actual - expected);
        return double.IsNaN(d) ? double.PositiveInfinity : d;
    }

    public bool Accepts(double actual, double expected) => Distance(actual, expected) <= Allowed(expected);

    public override string ToString() => $"rtol {Rtol:G3}, atol {Atol:G3}";
}
