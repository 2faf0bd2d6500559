using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Oracle.Tests;

/// <summary>Every loss and optimizer against libtorch, in both dtypes, including their edge regimes.</summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class LossAndOptimizerTests
{
    public static TheoryData<DType> DTypes => new(DType.Float32, DType.Float64);

    private static readonly Dictionary<string, (Activation Output, int Outputs, Loss Loss, bool ClassIndices)> LossCases = new()
    {
        ["bce"] = (Sigmoid.Instance, 1, new BinaryCrossEntropy(), false),
        ["bce sum"] = (Sigmoid.Instance, 2, new BinaryCrossEntropy(Reduction.Sum), false),
        ["bce with logits"] = (Identity.Instance, 1, new BinaryCrossEntropyWithLogits(), false),
        ["bce with logits sum, scale 3"] = (Identity.Instance, 2, new BinaryCrossEntropyWithLogits(Reduction.Sum, 3), false),
        ["mse"] = (Identity.Instance, 2, new MseLoss(), false),
        ["half sum of squares"] = (Tanh.Instance, 2, new MseLoss(Reduction.Sum, 0.5), false),
        ["cross entropy, indices"] = (Identity.Instance, 3, new CrossEntropy(), true),
        ["cross entropy, indices, sum, smoothing 0.1"] = (Identity.Instance, 3, new CrossEntropy(Reduction.Sum, 1, 0.1), true),
        ["cross entropy, probabilities"] = (Identity.Instance, 3, new CrossEntropy(), false),
        ["cross entropy, probabilities, smoothing 0.2"] = (Identity.Instance, 3, new CrossEntropy(Reduction.Mean, 1, 0.2), false),
        ["softmax then mse"] = (Softmax.Instance, 3, new MseLoss(), false),
    };

    public static TheoryData<string, DType> LossesAndDTypes() => Cases.InBothDTypes(LossCases.Keys);

    [Theory]
    [MemberData(nameof(LossesAndDTypes))]
    public void Loss_Matches_Libtorch(string name, DType dtype)
    {
        (Activation output, int outputs, Loss loss, bool indices) = LossCases[name];
        CoreVersusLibtorch.CoreMatchesLibtorch(Cases.Network(name.Length, Relu.Instance, output, outputs, loss, new Sgd(0.1), classIndices: indices), dtype);
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Bce_With_Logits_Stays_Finite_At_Huge_Logits_As_Libtorch(DType dtype)
    {
        var probe = new TrainingCase(
            new NetworkSpec(1, [new LayerSpec(1, Identity.Instance)], new BinaryCrossEntropyWithLogits()),
            [new LayerParameters<double>(new Matrix<double>(1, 1, [1]), [0])],
            [new Batch<double>(new Matrix<double>(4, 1, [1000, -1000, 300, -300]), new Matrix<double>(4, 1, [0, 1, 1, 0]), TargetKind.Values)],
            new Sgd(0.01));
        Trainer.Run(probe, dtype)[0].Cost.ShouldBe(500, "confident and wrong twice (1000 each), right twice (0)");
        CoreVersusLibtorch.CoreMatchesLibtorch(probe, dtype);
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Cross_Entropy_At_Logits_Of_1000_Matches_Libtorch(DType dtype)
    {
        foreach (bool indices in new[] { true, false })
        {
            var y = indices ? new Matrix<double>(2, 1, [0, 2]) : new Matrix<double>(2, 3, [0.5, 0.25, 0.25, 0, 0, 1]);
            var probe = new TrainingCase(
                new NetworkSpec(1, [new LayerSpec(3, Identity.Instance)], new CrossEntropy(Reduction.Mean, 1, 0.1)),
                [new LayerParameters<double>(new Matrix<double>(3, 1, [1, 1, 1]), [1000, -1000, 0])],
                [new Batch<double>(new Matrix<double>(2, 1, [0, 0.5]), y, indices ? TargetKind.ClassIndices : TargetKind.Values)],
                new Sgd(0.01));
            CoreVersusLibtorch.CoreMatchesLibtorch(probe, dtype);
        }
    }

    [Fact]
    public void Out_Of_Range_Class_Index_Gets_Libtorchs_Wording()
    {
        var loss = new CrossEntropy();
        var logits = new Matrix<double>(2, 3);
        Should.Throw<ArgumentException>(() => loss.Cost(logits, new Matrix<double>(2, 1, [0, 3]), TargetKind.ClassIndices, SampleAxis.Rows))
            .Message.ShouldBe("Target 3 is out of bounds.");
        using var input = TorchSharp.torch.zeros(2, 3);
        using var target = TorchSharp.torch.tensor(new long[] { 0, 3 });
        Should.Throw<System.Runtime.InteropServices.ExternalException>(() => TorchSharp.torch.nn.functional.cross_entropy(input, target))
            .Message.ShouldContain("Target 3 is out of bounds.");
    }

    public static TheoryData<string, DType> OptimizersAndDTypes() => Cases.InBothDTypes(Optimizers.Keys);

    private static readonly Dictionary<string, OptimizerSpec> Optimizers = new()
    {
        ["sgd"] = new Sgd(0.1),
        ["sgd momentum"] = new Sgd(0.1, Momentum: 0.9),
        ["sgd momentum dampening weight decay"] = new Sgd(0.05, Momentum: 0.8, Dampening: 0.3, WeightDecay: 0.01),
        ["sgd nesterov"] = new Sgd(0.05, Momentum: 0.9, Nesterov: true),
        ["adam"] = new Adam(0.01),
        ["adam betas eps weight decay"] = new Adam(0.02, 0.8, 0.99, 1e-6, 0.05),
        ["adam amsgrad"] = new Adam(0.01, Amsgrad: true),
        ["adamw"] = new AdamW(0.01),
        ["adamw amsgrad strong decay"] = new AdamW(0.02, 0.85, 0.995, 1e-7, 0.3, Amsgrad: true),
    };

    [Theory]
    [MemberData(nameof(OptimizersAndDTypes))]
    public void Optimizer_Matches_Libtorch_Over_Ten_Steps(string name, DType dtype)
    {
        CoreVersusLibtorch.CoreMatchesLibtorch(
            Cases.Network(name.Length, Tanh.Instance, Sigmoid.Instance, 1, new BinaryCrossEntropy(), Optimizers[name], steps: 10), dtype);
    }

    [Fact]
    public void AdamW_Defaults_Are_PyTorchs_Not_TorchSharps()
    {
        // TorchSharp's AdamW defaults weight_decay to 0; PyTorch's (and the contract's) is 0.01.
        new AdamW().WeightDecay.ShouldBe(0.01);
        new Adam().Beta2.ShouldBe(0.999);
    }
}
