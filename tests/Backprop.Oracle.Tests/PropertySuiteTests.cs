using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Oracle.Tests;

/// <summary>The property suite: random networks over the whole vocabulary against libtorch.</summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class PropertySuiteTests
{
    public static Arbitrary<RandomNetwork> Float64Networks() => Arb.From(
        Gen.Choose(0, int.MaxValue).Select(seed => RandomNetworks.Build(seed, DType.Float64)), Shrinking.Shrink);

    public static Arbitrary<RandomNetwork> Float32Networks() => Arb.From(
        Gen.Choose(0, int.MaxValue).Select(seed => RandomNetworks.Build(seed, DType.Float32, RandomNetworkOptions.Float32)), Shrinking.Shrink);

    /// <summary>
    /// Runs a check; on failure, the message also carries the network as a complete fixture with
    /// libtorch's expectations (FsCheck adds the replay seed), to save under fixtures/regressions/.
    /// </summary>
    private static void WithFixtureOnFailure(RandomNetwork n, Action check)
    {
        try
        {
            check();
        }
        catch (ShouldAssertException e)
        {
            throw new ShouldAssertException(
                $"{e.Message}\n--- {n} ---\nSave as fixtures/regressions/regression-seed-{n.Seed}.json and replay with `backprop check`:\n" +
                Shrinking.ToFixture(n, e.Message.Split('\n')[0], TorchWitness.Instance));
        }
    }

    [Property(MaxTest = 400, Replay = "(1122334455,6677889901)")]
    public Property Float64_Core_Matches_Libtorch_Operation_By_Operation()
        => Prop.ForAll(Float64Networks(), n => OperationByOperation(n));

    [Property(MaxTest = 200, Replay = "(5544332211,1098765433)")]
    public Property Float32_Core_Matches_Libtorch_Operation_By_Operation()
        => Prop.ForAll(Float32Networks(), n => OperationByOperation(n));

    private static Property OperationByOperation(RandomNetwork n)
    {
        IReadOnlyList<StepRecord<double>> torch = TorchOracle.Run(n.Case, n.DType);
        bool overflowed = n.Overflowed(torch);
        if (!overflowed)
        {
            WithFixtureOnFailure(n, () => Stepwise.Compare(n.Case, n.DType, torch).ShouldAllPass());
        }

        return true.ToProperty()
            .Classify(overflowed, "overflowed in libtorch: not compared")
            .Classify(n.Case.Network.Layers.Count >= 4, "4+ layers")
            .Classify(n.Case.Network.Layers.Any(l => l.Units >= 16), "a layer of 16+ units")
            .Classify(n.HitsKink(torch), "hits a kink exactly (z = 0 at relu, leaky_relu or elu)")
            .Collect(n.Regime.ToString());
    }

    [Property(MaxTest = 300, Replay = "(9988776655,4433221101)")]
    public Property Float64_Core_Matches_Libtorch_End_To_End_While_Training_Stays_Bounded()
        => Prop.ForAll(Float64Networks(), n =>
        {
            IReadOnlyList<StepRecord<double>> torch = TorchOracle.Run(n.Case, n.DType);
            IReadOnlyList<StepRecord<double>> core = Trainer.Run(n.Case, n.DType);
            bool skip = n.Overflowed(torch) || n.Diverged(torch) || !n.SameBranches(torch, core);
            if (!skip)
            {
                WithFixtureOnFailure(n, () => Agreement.Compare(torch, core, Tolerance.Float64).ShouldAllPass());
            }

            return true.ToProperty().Classify(skip, "diverged, overflowed, or a kink branch decided by rounding: compared operation by operation only");
        });

    [Fact]
    public void A_Failure_Shrinks_And_Prints_A_Replayable_Fixture()
    {
        // The shrinker's candidates are valid, smaller networks, and the printed fixture reads back
        // and passes `backprop check` (here on a network that agrees, so the check must pass).
        RandomNetwork n = RandomNetworks.Build(42, DType.Float64);
        foreach (RandomNetwork smaller in Shrinking.Shrink(n))
        {
            Should.NotThrow(() => smaller.Case.Validate());
            smaller.Case.Parameters.Sum(p => p.Weight.Data.Length).ShouldBeLessThanOrEqualTo(n.Case.Parameters.Sum(p => p.Weight.Data.Length));
        }

        string json = Shrinking.ToFixture(n, "demonstration", TorchWitness.Instance);
        Backprop.Verification.FixtureChecker.CheckText(json).ExitCode.ShouldBe(0);
    }
}
