using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Oracle.Tests;

/// <summary>
/// Every (hidden activation × loss × optimizer) row against libtorch in both dtypes: a 3-3-3-C
/// network whose two hidden layers use the activation, whose output fits the loss, trained
/// three steps over two batches.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class TableTests
{
    private static readonly (string Name, Activation Output, int Outputs, Func<Loss> Loss, bool Indices)[] Losses =
    [
        ("bce", Sigmoid.Instance, 1, () => new BinaryCrossEntropy(), false),
        ("bce_with_logits", Identity.Instance, 2, () => new BinaryCrossEntropyWithLogits(), false),
        ("mse", Identity.Instance, 2, () => new MseLoss(), false),
        ("cross_entropy", Identity.Instance, 3, () => new CrossEntropy(), true),
    ];

    private static readonly (string Name, OptimizerSpec Spec)[] Optimizers =
    [
        ("sgd", new Sgd(0.1, Momentum: 0.9)),
        ("adam", new Adam(0.01)),
        ("adamw", new AdamW(0.01, Amsgrad: true)),
    ];

    public static TheoryData<string, string, string, DType> Rows()
    {
        var rows = new TheoryData<string, string, string, DType>();
        foreach (string activation in Cases.Activations.Keys)
        {
            foreach (var loss in Losses)
            {
                foreach (var optimizer in Optimizers)
                {
                    rows.Add(activation, loss.Name, optimizer.Name, DType.Float32);
                    rows.Add(activation, loss.Name, optimizer.Name, DType.Float64);
                }
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Row_Matches_Libtorch(string activation, string loss, string optimizer, DType dtype)
    {
        var l = Losses.Single(x => x.Name == loss);
        int seed = $"{activation}/{loss}/{optimizer}".Sum(c => c);
        TrainingCase c = Cases.Network(
            seed, Cases.Activations[activation], l.Output, l.Outputs, l.Loss(), Optimizers.Single(o => o.Name == optimizer).Spec,
            classIndices: l.Indices);
        CoreVersusLibtorch.CoreMatchesLibtorch(c, dtype);
    }
}
