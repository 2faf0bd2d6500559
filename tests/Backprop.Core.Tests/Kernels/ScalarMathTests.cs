using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

public class ScalarMathTests
{
    [Theory]
    [InlineData(1e-20)]
    [InlineData(-1e-10)]
    [InlineData(3e-9)]
    public void Log1P_Keeps_The_Low_Bits_That_Log_Of_1_Plus_X_Loses(double x)
    {
        // For tiny x, log1p(x) = x − x²/2 + …; the naive log(1 + x) returns 0 or a value off in its first digits.
        double expected = x - (x * x / 2);
        ScalarMath.Log1P(x).ShouldBe(expected, Math.Abs(expected) * 1e-15);
        ScalarMath.Log1P((float)x).ShouldBe((float)expected);
    }

    [Fact]
    public void Log1P_Of_Minus_1_Is_Minus_Infinity_And_Below_Is_NaN()
    {
        ScalarMath.Log1P(-1.0).ShouldBe(double.NegativeInfinity);
        ScalarMath.Log1P(-1f).ShouldBe(float.NegativeInfinity);
        double.IsNaN(ScalarMath.Log1P(-2.0)).ShouldBeTrue();
        double.IsNaN(ScalarMath.Log1P(double.NaN)).ShouldBeTrue();
        ScalarMath.Log1P(double.PositiveInfinity).ShouldBe(double.PositiveInfinity);
    }

    [Fact]
    public void Log1P_Matches_Log_Where_Log_Is_Exact_Enough()
    {
        foreach (double x in new[] { -0.9, -0.5, 0.5, 1, 10, 1e10 })
        {
            ScalarMath.Log1P(x).ShouldBe(Math.Log(1 + x), Math.Abs(Math.Log(1 + x)) * 4e-16);
        }
    }

    /// <summary>
    /// 2/√π ∫ e^(−t²) dt from a to b by composite Simpson's rule with compensated summation:
    /// with 40,000 intervals over at most 8 units the error is below 1e-16 of the integrand's
    /// scale, an independent witness for erf to double precision.
    /// </summary>
    private static double GaussIntegral(double a, double b)
    {
        const int Intervals = 40_000;
        double h = (b - a) / Intervals;
        double F(double t) => 2 / Math.Sqrt(Math.PI) * Math.Exp(-t * t);
        double sum = 0, compensation = 0;
        for (int i = 0; i <= Intervals; i++)
        {
            double term = (i == 0 || i == Intervals ? 1 : i % 2 == 1 ? 4 : 2) * F(a + (i * h)) - compensation;
            double next = sum + term;
            compensation = (next - sum) - term;
            sum = next;
        }

        return sum * h / 3;
    }

    [Fact]
    public void Erf_Is_The_Integral_Of_Its_Derivative_Across_Every_Branch()
    {
        // Every range of fdlibm's algorithm: [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35), [1/0.35, 6), beyond.
        for (double x = 0.013; x < 6.5; x += 0.0517)
        {
            double erf = ScalarMath.Erf(x);
            Math.Abs(erf - GaussIntegral(0, x)).ShouldBeLessThan(3e-16, $"erf({x})");
            ScalarMath.Erf(-x).ShouldBe(-erf, $"erf is odd, at {x}");
        }
    }

    [Fact]
    public void One_Minus_Erf_Is_The_Tail_Integral_Where_Double_Can_Hold_It()
    {
        // 1 − erf(x) = erfc(x): erf is built as 1 − erfc above 0.84375, so its tail keeps erfc's
        // relative accuracy up to erf's own rounding, 1.1e-16 absolute.
        for (double x = 0.9; x < 5.5; x += 0.0731)
        {
            double tail = GaussIntegral(x, x + 8);
            double erfc = 1 - ScalarMath.Erf(x);
            Math.Abs(erfc - tail).ShouldBeLessThanOrEqualTo(1.2e-16 + (1e-12 * tail), $"1 − erf({x}) = {erfc:R}, tail integral {tail:R}");
        }
    }

    [Theory]
    [InlineData(1e-10)]
    [InlineData(3.7e-9)]
    [InlineData(1e-300)]
    [InlineData(4e-310)]
    public void Erf_Of_A_Tiny_Number_Is_2_Over_Root_Pi_Times_It(double x)
    {
        // Below 2⁻²⁸ the series erf(x) = 2x/√π − … has nothing left past its first term.
        double expected = x * (2 / Math.Sqrt(Math.PI));
        Math.Abs(ScalarMath.Erf(x) - expected).ShouldBeLessThanOrEqualTo(Math.Abs(expected) * 2.3e-16 + double.Epsilon, $"erf({x})");
        ScalarMath.Erf(-x).ShouldBe(-ScalarMath.Erf(x));
    }

    [Fact]
    public void Erf_Saturates_To_One_And_Keeps_Its_Special_Values()
    {
        ScalarMath.Erf(6.0).ShouldBe(1.0);
        ScalarMath.Erf(-30.0).ShouldBe(-1.0);
        ScalarMath.Erf(double.PositiveInfinity).ShouldBe(1.0);
        ScalarMath.Erf(double.NegativeInfinity).ShouldBe(-1.0);
        double.IsNaN(ScalarMath.Erf(double.NaN)).ShouldBeTrue();
        double.IsNegative(ScalarMath.Erf(-0.0)).ShouldBeTrue();
        ScalarMath.Erf(0.5f).ShouldBe((float)ScalarMath.Erf(0.5));
    }
}
