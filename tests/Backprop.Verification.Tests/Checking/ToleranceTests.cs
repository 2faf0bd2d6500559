using Backprop.Verification;

namespace Backprop.Verification.Tests.Checking;

public class ToleranceTests
{
    [Fact]
    public void Defaults_Are_Those_Of_Assert_Close()
    {
        Tolerance.For(DType.Float32).ShouldBe(new Tolerance(1.3e-6, 1e-5));
        Tolerance.For(DType.Float64).ShouldBe(new Tolerance(1e-7, 1e-7));
    }

    [Fact]
    public void Allowed_Difference_Is_Atol_Plus_Rtol_Times_Expected()
    {
        var t = new Tolerance(rtol: 0.5, atol: 1);
        t.Accepts(actual: 13, expected: 10).ShouldBeTrue();   // |3| ≤ 1 + 0.5·10
        t.Accepts(actual: 16.5, expected: 10).ShouldBeFalse(); // |6.5| > 6
        t.Accepts(actual: -5, expected: -10).ShouldBeTrue();   // uses |expected|
    }

    [Fact]
    public void NaN_Matches_NaN_And_Infinity_Matches_Only_Itself()
    {
        var t = new Tolerance(1, 1);
        t.Accepts(double.NaN, double.NaN).ShouldBeTrue();
        t.Accepts(double.NaN, 0).ShouldBeFalse();
        t.Accepts(0, double.NaN).ShouldBeFalse();
        t.Accepts(double.PositiveInfinity, double.PositiveInfinity).ShouldBeTrue();
        t.Accepts(double.NegativeInfinity, double.PositiveInfinity).ShouldBeFalse();
        t.Accepts(1e300, double.PositiveInfinity).ShouldBeFalse();
    }

    [Theory]
    [InlineData(-1e-5, 0)]
    [InlineData(0, -1)]
    [InlineData(double.NaN, 0)]
    [InlineData(0, double.PositiveInfinity)]
    public void Negative_Or_Non_Finite_Tolerances_Are_Refused(double rtol, double atol)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new Tolerance(rtol, atol))
            .Message.ShouldStartWith("rtol and atol must be finite and not negative");
    }
}
