using Backprop.Core.Activations;
using Backprop.Testing;
using Backprop.Verification;

namespace Backprop.Oracle.Tests;

/// <summary>The in-process route: a C# network checked against libtorch by <see cref="Oracle.OracleAssert"/>, the engine of verify --exec.</summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public sealed class OracleAssertTests : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("backprop-oracle-assert-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    /// <summary>The core as someone's network: it must agree.</summary>
    private sealed class CoreNetwork : INetworkUnderTest
    {
        public IReadOnlyList<StepRecord<double>> Train(TrainingCase trainingCase, DType dtype) => Trainer.Run(trainingCase, dtype);
    }

    /// <summary>The core with ReLU'(0) = 1 in every relu layer.</summary>
    private sealed class ReluOneAtZeroNetwork : INetworkUnderTest
    {
        public IReadOnlyList<StepRecord<double>> Train(TrainingCase c, DType dtype) => Trainer.Run(
            c with { Network = c.Network with { Layers = c.Network.Layers.Select(l => l.Activation is Relu ? l with { Activation = new ReluOneAtZero() } : l).ToArray() } },
            dtype);
    }

    [Fact]
    public void A_Network_That_Agrees_Passes_In_Every_Layout()
        => Oracle.OracleAssert.Agrees(new CoreNetwork(), new Oracle.OracleOptions { Networks = 30, Layouts = null, OutDir = temp });

    [Fact]
    public void A_Planted_Kink_Bug_Fails_With_The_Table_The_Cause_And_A_Replayable_Fixture()
    {
        var options = new Oracle.OracleOptions
        {
            Activations = ["relu", "sigmoid"], Losses = ["binary_cross_entropy"], Optimizers = ["none", "sgd"], Networks = 100, Seed = 1, OutDir = temp,
        };
        Oracle.OracleAssertException e = Should.Throw<Oracle.OracleAssertException>(() => Oracle.OracleAssert.Agrees(new ReluOneAtZeroNetwork(), options));
        e.Message.ShouldContain("ReluOneAtZeroNetwork disagrees with libtorch on random network seed");
        e.Message.ShouldContain("FAIL  <- first disagreement");
        e.Message.ShouldContain("likely cause: the kink convention of relu: at z = 0 exactly PyTorch takes relu'(0) = 0");
        File.Exists(e.FixturePath).ShouldBeTrue();
        Cli.Run("check", e.FixturePath!).Exit.ShouldBe(0);
        Should.Throw<Oracle.OracleAssertException>(() => Oracle.OracleAssert.AgreesOn(new ReluOneAtZeroNetwork(), e.FixturePath!));
        Oracle.OracleAssert.AgreesOn(new CoreNetwork(), e.FixturePath!);
    }

    /// <summary>
    /// Seeds where the core, a correct implementation, drifted past the tolerance end to end against
    /// the AMD EPYC's libtorch: float64 seed 50003 (step 3's update, after two steps of drift),
    /// float32 seed 287 (step 5's z) and float32 seed 50045 (Adam at step 1, where tiny gradients
    /// that agree within the tolerance are divided by their own size). Judged step by step from the
    /// implementation's own state, each agrees.
    /// </summary>
    [Theory]
    [InlineData(DType.Float64, 50003)]
    [InlineData(DType.Float32, 287)]
    [InlineData(DType.Float32, 50045)]
    public void Rounding_That_An_End_To_End_Run_Magnifies_Is_Not_A_Disagreement(DType dtype, int seed)
        => Oracle.OracleAssert.Agrees(new CoreNetwork(), new Oracle.OracleOptions { DType = dtype, Networks = 1, Seed = seed, Layouts = null, OutDir = temp });

    /// <summary>An update without weight decay, from right gradients: caught at the update, step by step, and named.</summary>
    [Fact]
    public void A_Planted_Update_Bug_Is_Caught_At_Its_Step_And_Named()
    {
        Oracle.OracleAssertException e = Should.Throw<Oracle.OracleAssertException>(() => Oracle.OracleAssert.Agrees(
            new NoWeightDecayNetwork(), new Oracle.OracleOptions { Optimizers = ["sgd"], Networks = 100, Seed = 1, OutDir = temp }));
        e.Message.ShouldContain("weight after update");
        e.Message.ShouldContain("likely cause: weight decay left out of the update (torch.optim takes lr·wd·p off each parameter)");
        Cli.Run("check", e.FixturePath!).Exit.ShouldBe(0);
    }

    /// <summary>The core with torch.optim's weight decay left out of every update.</summary>
    private sealed class NoWeightDecayNetwork : INetworkUnderTest
    {
        public IReadOnlyList<StepRecord<double>> Train(TrainingCase c, DType dtype)
            => Trainer.Run(c with { Optimizer = c.Optimizer is Backprop.Core.Optimizers.Sgd s ? s with { WeightDecay = 0 } : c.Optimizer }, dtype);
    }

    /// <summary>Random network seed 2 of this vocabulary passes 1e6 in libtorch's own first step, so it is skipped before the network is asked: a run that compared nothing does not pass.</summary>
    [Fact]
    public void A_Run_That_Compared_Nothing_Does_Not_Pass()
    {
        Oracle.OracleAssertException e = Should.Throw<Oracle.OracleAssertException>(() => Oracle.OracleAssert.Agrees(new ThrowingNetwork(), new Oracle.OracleOptions
        {
            Activations = ["relu", "sigmoid", "tanh"], Losses = ["mse_loss", "binary_cross_entropy"], Networks = 1, Seed = 2, OutDir = temp,
        }));
        e.Message.ShouldStartWith("none of the 1 random networks could be compared (1 skipped");
        e.Message.ShouldContain("so nothing was checked; raise Networks, or change Seed");
    }

    [Fact]
    public void A_Network_That_Throws_Is_Named_With_What_It_Threw()
    {
        Oracle.OracleAssertException e = Should.Throw<Oracle.OracleAssertException>(() =>
            Oracle.OracleAssert.Agrees(new ThrowingNetwork(), new Oracle.OracleOptions { Networks = 3, OutDir = temp }));
        e.Message.ShouldContain("ThrowingNetwork.Train threw on case verify-seed-1: NotSupportedException: no softmax here");
    }

    [Fact]
    public void Options_Are_Checked_Before_Anything_Runs()
        => Should.Throw<ArgumentException>(() => Oracle.OracleAssert.Agrees(new CoreNetwork(), new Oracle.OracleOptions { Activations = ["swish"] }))
            .Message.ShouldStartWith("activations: unknown \"swish\"");

    private sealed class ThrowingNetwork : INetworkUnderTest
    {
        public IReadOnlyList<StepRecord<double>> Train(TrainingCase trainingCase, DType dtype) => throw new NotSupportedException("no softmax here");
    }
}
