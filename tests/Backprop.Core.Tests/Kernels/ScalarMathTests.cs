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
}
