using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Verification;

/// <summary>
/// Seed 004's worked example: a 2-3-2-1 network, ReLU, ReLU, sigmoid, binary cross-entropy
/// (mean) on a batch of two samples in rows, W out×in, one SGD step with lr 0.01. Layer 2's
/// Z[0,0] is exactly 0, so the example exercises ReLU'(0) = 0.
/// Thread-safe: the case is made once and never changed.
/// </summary>
public static class WorkedExample
{
    /// <summary>The article the example comes from, for people who want to redo it by hand.</summary>
    public const string Article = "\"Backpropagation in Neural Networks\" (2025), the article in the project's seed 004 (004_fc2fa898b466b18f.txt)";

    /// <summary>The fixtures' <c>source</c> field (changing it changes the committed fixtures).</summary>
    public const string Source = "seed 004, \"Backpropagation in Neural Networks\" (2-3-2-1 ReLU/ReLU/sigmoid, BCE, SGD lr 0.01)";

    public static NetworkSpec Network { get; } = new(
        Inputs: 2,
        Layers:
        [
            new LayerSpec(3, Relu.Instance),
            new LayerSpec(2, Relu.Instance),
            new LayerSpec(1, Sigmoid.Instance),
        ],
        Loss: new BinaryCrossEntropy(Reduction.Mean));

    /// <summary>The article's weights, out×in, as written there (the article ran them in float32).</summary>
    public static TrainingCase Case { get; } = new(
        Network,
        Parameters:
        [
            new(Matrix<double>.FromRows([[-1.0, 2.0], [3.0, 0.5], [-0.1, -4.0]]), [1.0, -2.0, 0.3]),
            new(Matrix<double>.FromRows([[0.5, 1.0, -2.0], [0.7, 0.1, 0.3]]), [-4.0, 5.0]),
            new(Matrix<double>.FromRows([[0.5, -0.3]]), [0.1]),
        ],
        Batches:
        [
            new(Matrix<double>.FromRows([[1.0, 2.0], [3.0, 4.0]]), Matrix<double>.FromRows([[0.0], [1.0]]), TargetKind.Values),
        ],
        Optimizer: new Sgd(Lr: 0.01),
        Steps: 1);
}
