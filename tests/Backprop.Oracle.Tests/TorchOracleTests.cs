using System.Runtime.InteropServices;
using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using static TorchSharp.torch;

namespace Backprop.Oracle.Tests;

[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class TorchOracleTests
{
    public static TheoryData<DType> DTypes => new(DType.Float32, DType.Float64);

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Worked_Example_Matches_Libtorch_In_Every_Quantity(DType dtype)
        => CoreVersusLibtorch.CoreMatchesLibtorch(WorkedExample.Case, dtype);

    [Fact]
    public void Libtorch_Reproduces_The_Articles_Cost_Exactly_In_Float32()
    {
        // The oracle itself is checked against what PyTorch printed in the article.
        ((float)TorchOracle.Run(WorkedExample.Case, DType.Float32)[0].Cost).ShouldBe((float)0.19522885978221893);
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Sigmoid_Saturation_And_The_Bce_Clamp_Match_Libtorch(DType dtype)
    {
        // z = ±300 saturates the sigmoid; confident wrong answers hit BCE's log clamp at −100
        // and its ε in the gradient; confident right answers cost exactly 0.
        var trainingCase = new TrainingCase(
            new NetworkSpec(1, [new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy()),
            [new LayerParameters<double>(new Matrix<double>(1, 1, [1]), [0])],
            [new Batch<double>(new Matrix<double>(4, 1, [300, -300, 300, -300]), new Matrix<double>(4, 1, [0, 1, 1, 0]), TargetKind.Values)],
            new Sgd(0.1));
        CoreVersusLibtorch.CoreMatchesLibtorch(trainingCase, dtype);
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Exact_Relu_Kinks_Match_Libtorch(DType dtype)
    {
        // Dyadic weights and inputs make several pre-activations exactly 0 in both dtypes.
        var trainingCase = new TrainingCase(
            new NetworkSpec(2, [new LayerSpec(3, Relu.Instance), new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy()),
            [
                new LayerParameters<double>(Matrix<double>.FromRows([[1, -1], [0.5, 0.25], [-1, 0]]), [0, -0.75, 1]),
                new LayerParameters<double>(Matrix<double>.FromRows([[0.5, -1, 0.25]]), [0]),
            ],
            [new Batch<double>(Matrix<double>.FromRows([[1, 1], [1, 1], [1, 0.5]]), Matrix<double>.FromRows([[1], [0], [1]]), TargetKind.Values)],
            new Sgd(0.5));
        Trainer.Run<double>(trainingCase)[0].Layers[0].Z.Data.Count(z => z == 0).ShouldBeGreaterThanOrEqualTo(3);
        CoreVersusLibtorch.CoreMatchesLibtorch(trainingCase, dtype);
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Sgd_With_Momentum_Dampening_And_Weight_Decay_Matches_Libtorch_Over_Steps(DType dtype)
    {
        TrainingCase example = WorkedExample.Case;
        var twoBatches = new[] { example.Batches[0], new Batch<double>(Matrix<double>.FromRows([[-1, 0.5], [2, -3], [0.25, 1]]), Matrix<double>.FromRows([[1], [0], [1]]), TargetKind.Values) };
        CoreVersusLibtorch.CoreMatchesLibtorch(example with { Batches = twoBatches, Optimizer = new Sgd(0.05, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01), Steps = 4 }, dtype);
        CoreVersusLibtorch.CoreMatchesLibtorch(example with { Batches = twoBatches, Optimizer = new Sgd(0.05, Momentum: 0.8, WeightDecay: 0.02, Nesterov: true), Steps = 4 }, dtype);
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Sum_Reduction_And_Scale_Match_Libtorch(DType dtype)
    {
        TrainingCase example = WorkedExample.Case;
        CoreVersusLibtorch.CoreMatchesLibtorch(example with { Network = example.Network with { Loss = new BinaryCrossEntropy(Reduction.Sum, 0.5) } }, dtype);
    }

    [Fact]
    public void Gradients_Only_Leaves_The_Parameters_Unreported()
    {
        StepRecord<double> step = TorchOracle.Run(WorkedExample.Case with { Optimizer = null, Steps = 2 }, DType.Float64)[1];
        step.Parameters.ShouldBeNull();
        CoreVersusLibtorch.CoreMatchesLibtorch(WorkedExample.Case with { Optimizer = null, Steps = 2 }, DType.Float64);
    }

    [Fact]
    public void Bce_Range_Errors_Use_Libtorchs_Own_Wording()
    {
        var loss = new BinaryCrossEntropy();
        using Tensor x = tensor(new[] { 0.5f, 1.5f }), y = tensor(new[] { 0f, 1f }), badY = tensor(new[] { 0f, 2f }), half = tensor(new[] { 0.5f, 0.5f });
        string torchInput = Should.Throw<ExternalException>(() => nn.functional.binary_cross_entropy(x, y)).Message;
        string torchTarget = Should.Throw<ExternalException>(() => nn.functional.binary_cross_entropy(half, badY)).Message;

        string coreInput = Should.Throw<ArgumentException>(() => loss.Cost(new Matrix<float>(2, 1, [0.5f, 1.5f]), new Matrix<float>(2, 1, [0f, 1f]), TargetKind.Values, SampleAxis.Rows)).Message;
        string coreTarget = Should.Throw<ArgumentException>(() => loss.Cost(new Matrix<float>(2, 1, [0.5f, 0.5f]), new Matrix<float>(2, 1, [0f, 2f]), TargetKind.Values, SampleAxis.Rows)).Message;
        torchInput.ShouldStartWith(coreInput);
        torchTarget.ShouldStartWith(coreTarget);
    }

    [Fact]
    public void A_Bad_Shape_Is_Refused_In_CSharp_Before_Libtorch_Sees_It()
    {
        // Inside libtorch a shape error in matmul aborts the process; the oracle must throw first.
        TrainingCase example = WorkedExample.Case;
        LayerParameters<double>[] p = example.Parameters.ToArray();
        p[0] = p[0] with { Weight = p[0].Weight.Transpose() };
        Should.Throw<ArgumentException>(() => TorchOracle.Run(example with { Parameters = p }, DType.Float32))
            .Message.ShouldStartWith("layer 1: weight is 2×3");
    }

    public static TheoryData<string, DType> LayoutsAndDTypes() => Cases.InBothDTypes(Layout.All.Select(l => l.ToString()));

    [Theory]
    [MemberData(nameof(LayoutsAndDTypes))]
    public void Every_Layout_Matches_Libtorch_On_The_Worked_Example_And_Random_Networks(string layoutName, DType dtype)
    {
        Layout layout = Layout.All.Single(l => l.ToString() == layoutName);
        CoreVersusLibtorch.CoreMatchesLibtorch(WorkedExample.Case.InLayout(layout), dtype);
        foreach (int seed in Enumerable.Range(1, 20))
        {
            // Widths ≤ 3 keep float32 on libtorch's plain summation order (see Cases.Network).
            CoreVersusLibtorch.CoreMatchesLibtorch(RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 3, MaxBatch: 3, MaxInputs: 3, MaxSteps: 3, Regime: ValueRegime.Gaussian)).InLayout(layout), dtype);
        }
    }
}
