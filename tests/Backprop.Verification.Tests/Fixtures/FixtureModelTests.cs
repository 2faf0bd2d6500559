using Backprop.Verification;
using Backprop.Core.Optimizers;
using Backprop.Testing;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>
/// The fixture model around the reader: turning expectations into another layout, the tolerance a
/// check uses, the verdict of a check, the writer's number forms, and the trainer's entry checks.
/// </summary>
public class FixtureModelTests
{
    private static Fixture WorkedExample() => FixtureReader.ReadFile(Agreement.FixturePath("worked-example.json"));

    [Fact]
    public void InLayout_Turns_Every_Per_Sample_And_Weight_Expectation_And_Keeps_The_Bias()
    {
        Fixture rows = WorkedExample();
        Fixture turned = rows.InLayout(Layout.ColumnsInOut);
        for (int l = 0; l < 3; l++)
        {
            LayerExpectation before = rows.Expected[0].Layers![l], after = turned.Expected[0].Layers![l];
            after.Z!.Data.ShouldBe(before.Z!.Transpose().Data);
            after.A!.Data.ShouldBe(before.A!.Transpose().Data);
            after.GradA!.Data.ShouldBe(before.GradA!.Transpose().Data);
            after.GradZ!.Data.ShouldBe(before.GradZ!.Transpose().Data);
            after.GradWeight!.Data.ShouldBe(before.GradWeight!.Transpose().Data);
            (after.Z.Rows, after.GradWeight.Rows).ShouldBe((before.Z.Cols, before.GradWeight.Cols));
            after.GradBias.ShouldBe(before.GradBias);
            turned.Expected[0].Parameters![l].Weight.Data.ShouldBe(rows.Expected[0].Parameters![l].Weight.Transpose().Data);
        }
    }

    [Fact]
    public void InLayout_Leaves_Absent_Expectations_Absent()
    {
        Fixture rows = WorkedExample();
        StepExpectation sparse = rows.Expected[0] with
        {
            Layers = rows.Expected[0].Layers!.Select(l => new LayerExpectation()).ToArray(),
            Parameters = null,
        };
        StepExpectation turned = sparse.InLayout(Layout.RowsOutIn, Layout.ColumnsInOut);
        turned.Layers!.ShouldAllBe(l => l.Z == null && l.A == null && l.GradA == null && l.GradZ == null && l.GradWeight == null && l.GradBias == null);
        turned.Parameters.ShouldBeNull();
        (sparse with { Layers = null }).InLayout(Layout.RowsOutIn, Layout.ColumnsInOut).Layers.ShouldBeNull();
    }

    [Fact]
    public void The_Effective_Tolerance_Is_The_Files_When_It_Has_One()
    {
        Fixture fixture = WorkedExample();
        fixture.EffectiveTolerance.ShouldBe(Tolerance.For(DType.Float32));
        (fixture with { Tolerance = new Tolerance(0.5, 0.25) }).EffectiveTolerance.ShouldBe(new Tolerance(0.5, 0.25));
    }

    [Fact]
    public void A_Check_Uses_The_Tolerance_It_Is_Given_Before_The_Files()
    {
        Fixture fixture = WorkedExample() with { Tolerance = new Tolerance(0.5, 0.25) };
        FixtureChecker.Check(fixture).Tolerance.ShouldBe(new Tolerance(0.5, 0.25));
        FixtureChecker.Check(fixture, new Tolerance(0.125, 0.0625)).Tolerance.ShouldBe(new Tolerance(0.125, 0.0625));
        FixtureChecker.CheckText("{", new Tolerance(0.125, 0.0625)).Tolerance.ShouldBe(new Tolerance(0.125, 0.0625));
    }

    [Fact]
    public void One_Wrong_Quantity_Among_Many_Right_Ones_Is_A_Mismatch()
    {
        Fixture fixture = WorkedExample();
        FixtureChecker.Check(fixture).ExitCode.ShouldBe(FixtureCheck.Passed);

        StepExpectation step = fixture.Expected[0];
        FixtureCheck check = FixtureChecker.Check(fixture with { Expected = [step with { Cost = step.Cost + 1 }] });
        check.ExitCode.ShouldBe(FixtureCheck.Mismatch);
        check.Quantities.Count(q => !q.Passed).ShouldBe(1);
    }

    [Fact]
    public void The_Writer_Spells_Non_Finite_Numbers_As_The_Contract_Does_And_Keeps_Each_Dtypes_Shortest_Form()
    {
        Fixture fixture = WorkedExample();
        StepExpectation step = fixture.Expected[0];
        LayerParameters<double> last = step.Parameters![2];
        Fixture odd = fixture with
        {
            Expected = [step with
            {
                Cost = double.NaN,
                Parameters = [step.Parameters[0], step.Parameters[1], last with { Bias = [double.PositiveInfinity] }],
                Layers = [.. step.Layers!.Take(2), step.Layers![2] with { GradBias = [double.NegativeInfinity] }],
            }],
            Tolerance = new Tolerance(0.1, 1e-7),
        };

        string text = FixtureWriter.Write(odd);
        text.ShouldContain("\"cost\": \"NaN\"");
        text.ShouldContain("\"bias\": [\"Infinity\"]");
        text.ShouldContain("\"gradBias\": [\"-Infinity\"]");
        text.ShouldContain("\"tolerance\": { \"rtol\": 0.1, \"atol\": 1E-07 }");
        text.ShouldContain("\"lr\": 0.01,");
        Fixture read = FixtureReader.Parse(text);
        double.IsNaN(read.Expected[0].Cost).ShouldBeTrue();
        read.Tolerance.ShouldBe(new Tolerance(0.1, 1e-7));

        // 0.1 in float32 is 0.100000001490116…; its shortest float32 form is "0.1", its double form is not.
        Fixture tenth = fixture with { Expected = [step with { Cost = (float)0.1 }] };
        FixtureWriter.Write(tenth).ShouldContain("\"cost\": 0.1,");
        FixtureWriter.Write(tenth with { DType = DType.Float64 }).ShouldContain("\"cost\": 0.10000000149011612,");
    }

    [Fact]
    public void Null_Is_An_Argument_Error_For_The_Writer_And_The_Trainer()
    {
        Should.Throw<ArgumentNullException>(() => FixtureWriter.Write(null!));
        Should.Throw<ArgumentNullException>(() => Trainer.Run<double>(null!));
        Should.Throw<ArgumentNullException>(() => new TrainingSession<double>(null!));
    }

    [Fact]
    public void Trainer_Runs_Float32_In_Float32()
    {
        TrainingCase c = WorkedExample().Case;
        double cost32 = Trainer.Run(c, DType.Float32)[0].Cost;
        cost32.ShouldBe((double)Trainer.Run<float>(c)[0].Cost);
        cost32.ShouldNotBe(Trainer.Run(c, DType.Float64)[0].Cost);
    }

    [Fact]
    public void Validate_Refuses_A_Bad_Optimizer_No_Batches_And_A_Batch_Of_The_Wrong_Width()
    {
        TrainingCase c = WorkedExample().Case;
        Should.Throw<ArgumentException>(() => (c with { Optimizer = new Sgd(-1) }).Validate())
            .Message.ShouldStartWith("Invalid learning rate: -1");
        Should.Throw<ArgumentException>(() => (c with { Batches = [] }).Validate())
            .Message.ShouldBe("a case needs at least one batch");
        Batch<double> wide = new(new Matrix<double>(2, 3), c.Batches[0].Y, TargetKind.Values);
        Should.Throw<ArgumentException>(() => (c with { Batches = [wide] }).Validate());
    }
}
