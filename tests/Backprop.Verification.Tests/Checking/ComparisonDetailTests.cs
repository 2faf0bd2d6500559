using Backprop.Verification;

namespace Backprop.Verification.Tests.Checking;

/// <summary>The details of a comparison's report: worst element, shapes, empty and scalar quantities, and the step routine's names.</summary>
public class ComparisonDetailTests
{
    private static readonly Tolerance Tolerance = new(rtol: 1e-5, atol: 1e-7);

    [Fact]
    public void The_Worst_Element_Is_The_One_Furthest_Past_Its_Allowance_Not_The_Largest_Difference()
    {
        // |Δ| 1e-3 at 1000 is allowed (1e-2); |Δ| 1e-4 at 0 is not (1e-7).
        QuantityComparison r = QuantityComparison.Compare("q", [1000, 0], [1000.001, 1e-4], Tolerance);
        r.WorstIndex.ShouldBe("[1]");
        r.Mismatched.ShouldBe(1);
        r.MaxAbsError.ShouldBe(Tolerance.Distance(1000.001, 1000));
        r.MaxRelError.ShouldBe(double.PositiveInfinity); // 1e-4 against an expected 0
    }

    [Fact]
    public void Among_Equally_Bad_Elements_The_First_Is_The_Worst()
    {
        QuantityComparison.Compare("q", [1, 1, 1], [1, 1.5, 1.5], Tolerance).WorstIndex.ShouldBe("[1]");
    }

    [Fact]
    public void A_Difference_Exactly_At_The_Allowance_Agrees_And_Is_Described_As_Within_It()
    {
        QuantityComparison r = QuantityComparison.Compare("q", [1.0], [1.5], new Tolerance(rtol: 0, atol: 0.5));
        r.Passed.ShouldBeTrue();
        r.Describe().ShouldEndWith("|Δ| 5.0E-1 ≤ allowed 5.0E-1");
    }

    [Fact]
    public void Equal_Values_Have_No_Relative_Error_Even_At_Zero()
    {
        QuantityComparison r = QuantityComparison.Compare("q", [0, 2], [0, 2], Tolerance);
        (r.MaxAbsError, r.MaxRelError, r.Mismatched, r.Passed).ShouldBe((0.0, 0.0, 0, true));
        r.WorstIndex.ShouldBe("[0]");
    }

    [Fact]
    public void A_Shape_Wrong_In_One_Dimension_Or_In_Length_Fails_Every_Element()
    {
        QuantityComparison m = QuantityComparison.Compare("m", new Matrix<double>(2, 3), new Matrix<double>(2, 2), Tolerance);
        (m.Passed, m.Total, m.Mismatched).ShouldBe((false, 6, 6));
        m.Describe().ShouldBe("m: shape mismatch, expected 2×3, got 2×2");
        QuantityComparison v = QuantityComparison.Compare("v", new double[3], new double[2], Tolerance);
        (v.Passed, v.Total, v.Mismatched).ShouldBe((false, 3, 3));
        v.Describe().ShouldBe("v: shape mismatch, expected 3 elements, got 2");
        double.IsNaN(v.MaxAbsError).ShouldBeTrue();
        v.WorstIndex.ShouldBe("");
    }

    [Fact]
    public void An_Empty_Quantity_Agrees_And_Says_So()
    {
        QuantityComparison r = QuantityComparison.Compare("bias", [], [], Tolerance);
        (r.Total, r.Mismatched, r.Passed, r.WorstIndex).ShouldBe((0, 0, true, ""));
        r.Describe().ShouldBe("bias: agrees (empty)");
    }

    [Fact]
    public void A_Scalar_Has_No_Index_In_Its_Description()
    {
        QuantityComparison r = QuantityComparison.Compare("cost", 0.5, 0.75, Tolerance);
        r.WorstIndex.ShouldBe("");
        r.Describe().ShouldStartWith("cost: 1 of 1 mismatched; max |Δ| ");
        r.Describe().ShouldContain("; worst: expected 0.5, actual 0.75, |Δ| ");
        r.Describe().ShouldContain(" > allowed ");
        QuantityComparison.Compare("cost", 0.5, 0.5, Tolerance).Describe().ShouldContain(" ≤ allowed ");
    }

    [Fact]
    public void Values_Print_In_The_Shortest_Form_Of_Their_Dtype()
    {
        double tenth = (float)0.1; // 0.100000001490116…, the float nearest 0.1
        QuantityComparison r = QuantityComparison.Compare("a", [tenth], [1], Tolerance);
        r.Describe(DType.Float32).ShouldContain("expected 0.1, actual 1,");
        r.Describe(DType.Float64).ShouldContain($"expected {tenth:R}, actual 1,");
        r.ToString().ShouldBe(r.Describe(DType.Float64));
    }

    private static StepRecord<double> WorkedStep => Trainer.Run<double>(WorkedExample.Case)[0];

    [Fact]
    public void A_Step_Is_Compared_In_The_Algorithms_Order_With_Step_Layer_And_Name()
    {
        StepRecord<double> step = WorkedStep;
        IReadOnlyList<QuantityComparison> results = StepComparison.Compare(2, StepExpectation.From(step), step, Tolerance);
        results.All(r => r.Passed).ShouldBeTrue();
        results.Select(r => r.Quantity).ShouldBe(
        [
            "step 2 layer 1 z", "step 2 layer 1 a", "step 2 layer 2 z", "step 2 layer 2 a", "step 2 layer 3 z", "step 2 layer 3 a",
            "step 2 cost",
            "step 2 layer 3 gradA", "step 2 layer 3 gradZ", "step 2 layer 3 gradWeight", "step 2 layer 3 gradBias",
            "step 2 layer 2 gradA", "step 2 layer 2 gradZ", "step 2 layer 2 gradWeight", "step 2 layer 2 gradBias",
            "step 2 layer 1 gradA", "step 2 layer 1 gradZ", "step 2 layer 1 gradWeight", "step 2 layer 1 gradBias",
            "step 2 layer 1 weight after update", "step 2 layer 1 bias after update",
            "step 2 layer 2 weight after update", "step 2 layer 2 bias after update",
            "step 2 layer 3 weight after update", "step 2 layer 3 bias after update",
        ]);
        results.All(r => r.Step == 2).ShouldBeTrue();
        results.Single(r => r.Quantity == "step 2 cost").Layer.ShouldBeNull();
        results.Single(r => r.Quantity == "step 2 layer 2 gradZ").Layer.ShouldBe(2);
        results.Single(r => r.Quantity == "step 2 layer 2 gradZ").Name.ShouldBe("gradZ");
    }

    [Fact]
    public void Each_Quantity_Is_Compared_With_Its_Own_Counterpart()
    {
        // Change one number of each kind in the expectation: exactly that quantity must fail.
        StepRecord<double> step = WorkedStep;
        StepExpectation Expect() => StepExpectation.From(step with
        {
            Layers = step.Layers.Select(l => l with
            {
                Z = l.Z.Clone(), A = l.A.Clone(), GradA = l.GradA.Clone(), GradZ = l.GradZ.Clone(),
                GradWeight = l.GradWeight.Clone(), GradBias = (double[])l.GradBias.Clone(),
            }).ToArray(),
            Parameters = step.Parameters!.Select(p => p.DeepCopy()).ToArray(),
        });
        var changes = new (string Quantity, Action<StepExpectation> Change)[]
        {
            ("step 1 layer 2 z", e => e.Layers![1].Z!.Data[0] += 1),
            ("step 1 layer 2 a", e => e.Layers![1].A!.Data[0] += 1),
            ("step 1 layer 2 gradA", e => e.Layers![1].GradA!.Data[0] += 1),
            ("step 1 layer 2 gradZ", e => e.Layers![1].GradZ!.Data[0] += 1),
            ("step 1 layer 2 gradWeight", e => e.Layers![1].GradWeight!.Data[0] += 1),
            ("step 1 layer 2 gradBias", e => e.Layers![1].GradBias![0] += 1),
            ("step 1 layer 2 weight after update", e => e.Parameters![1].Weight.Data[0] += 1),
            ("step 1 layer 2 bias after update", e => e.Parameters![1].Bias[0] += 1),
        };
        foreach ((string quantity, Action<StepExpectation> change) in changes)
        {
            StepExpectation expected = Expect();
            change(expected);
            StepComparison.Compare(1, expected, step, Tolerance).Where(r => !r.Passed).Select(r => r.Quantity).ShouldBe([quantity]);
        }

        StepComparison.Compare(1, Expect() with { Cost = step.Cost + 1 }, step, Tolerance).Where(r => !r.Passed).Select(r => r.Quantity).ShouldBe(["step 1 cost"]);
    }

    [Fact]
    public void Missing_Updates_And_A_Different_Step_Count_Are_Refused()
    {
        StepRecord<double> step = WorkedStep;
        Should.Throw<ArgumentException>(() => StepComparison.Compare(3, StepExpectation.From(step), step with { Parameters = null }, Tolerance))
            .Message.ShouldBe("step 3: updated parameters are expected, but the run made no update");
        Should.Throw<ArgumentException>(() => StepComparison.Compare([StepExpectation.From(step), StepExpectation.From(step)], [step], Tolerance))
            .Message.ShouldBe("2 steps are expected but the run made 1");
        StepComparison.Compare([StepExpectation.From(step)], [step], Tolerance).Select(r => r.Step).Distinct().ShouldBe([1]);
    }
}
