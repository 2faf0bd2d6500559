using Backprop.Core.Checking;
using Backprop.Core.Examples;
using Backprop.Core.Fixtures;
using Backprop.Core.Witness;
using Backprop.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Core.Tests;

/// <summary>The explicit-Jacobian path and the delta rule are two derivations of the same gradients.</summary>
public class JacobianWitnessTests
{
    private static IEnumerable<QuantityComparison> Compare(StepRecord<double> expected, StepRecord<double> actual)
        => Agreement.Compare([expected], [actual], Tolerance.Float64);

    [Property(MaxTest = 150, Replay = "(5772156649,1414213563)")]
    public Property Jacobian_Chain_Agrees_With_The_Delta_Rule_On_Random_Networks(int seed, int layoutIndex)
    {
        Layout layout = Layout.All[Math.Abs(layoutIndex % 4)];
        TrainingCase c = RandomCases.Build(seed, maxDepth: 3, maxWidth: 8, maxBatch: 4).InLayout(layout);
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
            .Select(seed => RandomCases.Build(seed, maxDepth: 3, maxWidth: 12, maxBatch: 4))
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
    }
}
