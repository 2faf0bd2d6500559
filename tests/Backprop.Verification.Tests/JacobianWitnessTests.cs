using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Verification.Tests;

/// <summary>The explicit-Jacobian path and the delta rule are two derivations of the same gradients.</summary>
public class JacobianWitnessTests
{
    private static IEnumerable<QuantityComparison> Compare(StepRecord<double> expected, StepRecord<double> actual)
        => Agreement.Compare([expected], [actual], Tolerance.Float64);

    [Property(MaxTest = 150, Replay = "(5772156649,1414213563)")]
    public Property Jacobian_Chain_Agrees_With_The_Delta_Rule_On_Random_Networks(int seed, int layoutIndex)
    {
        Layout layout = Layout.All[Math.Abs(layoutIndex % 4)];
        TrainingCase c = RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 8, MaxBatch: 4, MaxInputs: 8, MaxSteps: 3, Regime: ValueRegime.Gaussian)).InLayout(layout);
        int parameters = c.Parameters.Sum(p => p.Weight.Data.Length + p.Bias.Length);
        StepRecord<double> delta = Trainer.Run(c with { Optimizer = null, Steps = 1 }, DType.Float64)[0];
        Compare(delta, JacobianChain.Run(c).Step).ShouldAllPass();
        return true.ToProperty()
            .Classify(parameters > 100, "more than 100 parameters")
            .Classify(parameters > 200, "more than 200 parameters")
            .Collect(layout.ToString());
    }

    [Fact]
    public void Jacobian_Chain_Agrees_On_Networks_Of_150_To_250_Parameters()
    {
        var big = Enumerable.Range(1, 400)
            .Select(seed => RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 12, MaxBatch: 4, MaxInputs: 12, MaxSteps: 3, Regime: ValueRegime.Gaussian)))
            .Where(c => c.Parameters.Sum(p => p.Weight.Data.Length + p.Bias.Length) is >= 150 and <= 250)
            .Take(12)
            .ToArray();
        big.Length.ShouldBe(12, "the seeds should give a dozen networks of that size");
        foreach ((TrainingCase c, int i) in big.Select((c, i) => (c, i)))
        {
            TrainingCase turned = c.InLayout(Layout.All[i % 4]);
            Compare(Trainer.Run(turned with { Optimizer = null, Steps = 1 }, DType.Float64)[0], JacobianChain.Run(turned).Step).ShouldAllPass();
        }
    }

    [Fact]
    public void Jacobian_Chain_Reproduces_Libtorchs_Worked_Example()
    {
        Fixture f = FixtureReader.ReadFile(Agreement.FixturePath("worked-example-f64.json"));
        StepExpectation e = f.Expected[0] with { Parameters = null };
        StepComparison.Compare(1, e, JacobianChain.Run(f.Case).Step, Tolerance.Float64).ShouldAllPass();
    }

    [Fact]
    public void Worked_Example_Jacobians_Have_Seed_004s_Shapes()
    {
        // seed 004: ∂vec(A1)/∂vec(Z1) is 6×6, ∂vec(Z1)/∂vec(W1) is 6×6, ∂vec(Z1)/∂vec(b1) is 6×3.
        var j = JacobianChain.Run(WorkedExample.Case).Jacobians.ToDictionary(x => x.Name, x => x.Value);
        j["∂J/∂vec(L)"].Data.ShouldBe([0.5, 0.5], "J is the mean of the two samples' losses");
        j["∂vec(L)/∂vec(A3)"].Shape.ShouldBe("2×2");
        j["∂J/∂vec(A3)"].Shape.ShouldBe("1×2");
        j["∂vec(A1)/∂vec(Z1)"].Shape.ShouldBe("6×6");
        j["∂vec(Z1)/∂vec(W1)"].Shape.ShouldBe("6×6");
        j["∂vec(Z1)/∂vec(b1)"].Shape.ShouldBe("6×3");
        j["∂vec(Z2)/∂vec(A1)"].Shape.ShouldBe("4×6");
        j["∂vec(A2)/∂vec(Z2)"][0, 0].ShouldBe(0.0, "Z2[0,0] = 0 is ReLU's kink, where the derivative is 0");
        j.ContainsKey("∂vec(Z1)/∂vec(A0)").ShouldBeFalse("the input is data, not a layer: the chain stops at W1 and b1");
    }

    public static TheoryData<string> KinkedNames => new(Kinked.Keys);

    private static readonly Dictionary<string, Activation> Kinked = new()
    {
        ["leaky_relu(negative_slope=0.25)"] = new LeakyRelu(0.25),
        ["elu(alpha=2)"] = new Elu(2),
        ["softplus(beta=2, threshold=5)"] = new Softplus(2, 5),
    };

    [Theory]
    [MemberData(nameof(KinkedNames))]
    public void The_Witness_Takes_The_Same_Side_Of_Every_Kink_And_Threshold_As_The_Core(string name)
    {
        // x = 0 and 5 through W = [1, 1], b = [0, −2.5]: Z = [[0, −2.5], [5, 2.5]]. z = 0 is the kink
        // of leaky ReLU and ELU; softplus(2, 5) has β·z = 5, its threshold, exactly at z = 2.5.
        var c = new TrainingCase(
            new NetworkSpec(1, [new LayerSpec(2, Kinked[name]), new LayerSpec(1, Identity.Instance)], new MseLoss()),
            [new LayerParameters<double>(new Matrix<double>(2, 1, [1, 1]), [0, -2.5]), new LayerParameters<double>(new Matrix<double>(1, 2, [0.5, -0.75]), [0.1])],
            [new Batch<double>(new Matrix<double>(2, 1, [0, 5]), new Matrix<double>(2, 1, [1, -1]), TargetKind.Values)],
            null,
            1);
        Compare(Trainer.Run(c, DType.Float64)[0], JacobianChain.Run(c).Step).ShouldAllPass();
    }

    [Fact]
    public void The_Witness_Handles_Logits_Spread_Past_Exps_Range_And_Targets_That_Do_Not_Sum_To_1()
    {
        // Logits [800, 0, 1] and [0, −800, 1]; probability targets summing to 2 and 0.75, which
        // cross_entropy accepts: the gradient is softmax · Σt − t.
        var c = new TrainingCase(
            new NetworkSpec(2, [new LayerSpec(3, Identity.Instance)], new CrossEntropy()),
            [new LayerParameters<double>(new Matrix<double>(3, 2, [800, 0, 0, -800, 1, 1]), [0, 0, 0])],
            [new Batch<double>(new Matrix<double>(2, 2, [1, 0, 0, 1]), new Matrix<double>(2, 3, [0.5, 1, 0.5, 0.25, 0.25, 0.25]), TargetKind.Values)],
            null,
            1);
        StepRecord<double> delta = Trainer.Run(c, DType.Float64)[0];
        delta.Layers[0].GradZ.Data.ShouldAllBe(v => double.IsFinite(v));
        Compare(delta, JacobianChain.Run(c).Step).ShouldAllPass();
    }

    [Fact]
    public void The_Witness_Checks_Its_Case_First()
    {
        Should.Throw<ArgumentNullException>(() => JacobianChain.Run(null!));
        TrainingCase c = WorkedExample.Case;
        var wide = new Batch<double>(new Matrix<double>(2, 3), c.Batches[0].Y, TargetKind.Values);
        Should.Throw<Exception>(() => JacobianChain.Run(c with { Batches = [wide] })).ShouldBeOfType<ArgumentException>();
    }
}
