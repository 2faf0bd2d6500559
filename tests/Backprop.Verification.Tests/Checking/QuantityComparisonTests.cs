using Backprop.Verification;

namespace Backprop.Verification.Tests.Checking;

public class QuantityComparisonTests
{
    private static readonly Tolerance Tight = new(rtol: 0, atol: 0.01);

    [Fact]
    public void Reports_Max_Errors_Mismatch_Count_And_The_Worst_Element()
    {
        var expected = new Matrix<double>(2, 2, [1, 2, 3, 4]);
        var actual = new Matrix<double>(2, 2, [1, 2.5, 3, 3.9]);
        QuantityComparison r = QuantityComparison.Compare("layer 2 gradWeight", expected, actual, Tight);

        r.ShouldSatisfyAllConditions(
            () => r.Passed.ShouldBeFalse(),
            () => r.Mismatched.ShouldBe(2),
            () => r.Total.ShouldBe(4),
            () => r.MaxAbsError.ShouldBe(0.5),
            () => r.MaxRelError.ShouldBe(0.25),
            () => r.WorstIndex.ShouldBe("[0, 1]"),
            () => r.WorstExpected.ShouldBe(2),
            () => r.WorstActual.ShouldBe(2.5));
    }

    [Fact]
    public void Failure_Message_Names_Quantity_Index_Both_Values_And_Allowed_Difference()
    {
        QuantityComparison r = QuantityComparison.Compare("layer 1 gradBias", [1.0, 2.0], [1.0, 2.5], Tight);
        r.Describe().ShouldBe(
            "layer 1 gradBias: 1 of 2 mismatched; max |Δ| 5.0E-1, max rel 2.5E-1; worst at [1]: expected 2, actual 2.5, |Δ| 5.0E-1 > allowed 1.0E-2");
    }

    [Fact]
    public void A_Shape_Difference_Is_A_Failure_Not_A_Crash()
    {
        QuantityComparison r = QuantityComparison.Compare("z", new Matrix<double>(2, 3), new Matrix<double>(2, 2), Tight);
        r.Passed.ShouldBeFalse();
        r.Describe().ShouldBe("z: shape mismatch, expected 2×3, got 2×2");
    }

    [Fact]
    public void A_Transposed_Shape_Is_Named_And_So_Are_Transposed_Values()
    {
        var expected = Matrix<double>.FromRows([[1, 2, 3], [4, 5, 6]]);
        QuantityComparison.Compare("gradWeight", expected, expected.Transpose(), Tight).Describe()
            .ShouldBe("gradWeight: shape mismatch, expected 2×3, got 3×2: transposed (its values are the expected matrix's transpose)");
        QuantityComparison.Compare("gradWeight", expected, new Matrix<double>(3, 2), Tight).Describe()
            .ShouldBe("gradWeight: shape mismatch, expected 2×3, got 3×2: the transposed shape (is the matrix transposed?)");
    }

    [Fact]
    public void NaN_Where_A_Number_Is_Expected_Fails_And_Is_Reported_As_Worst()
    {
        QuantityComparison r = QuantityComparison.Compare("cost", 0.5, double.NaN, Tight);
        r.Passed.ShouldBeFalse();
        r.MaxAbsError.ShouldBe(double.PositiveInfinity);
        r.Describe().ShouldContain("actual NaN");
    }

    [Fact]
    public void Non_Finite_Expectations_Match_Only_Themselves()
    {
        var loose = new Tolerance(rtol: 1, atol: 1);
        QuantityComparison.Compare("q", [double.NaN, double.PositiveInfinity], [double.NaN, double.PositiveInfinity], loose).Passed.ShouldBeTrue();
        QuantityComparison r = QuantityComparison.Compare("q", [double.PositiveInfinity, 1], [1e300, 1], loose);
        r.Passed.ShouldBeFalse();
        r.WorstIndex.ShouldBe("[0]");
        r.MaxRelError.ShouldBe(double.PositiveInfinity);
    }
}
