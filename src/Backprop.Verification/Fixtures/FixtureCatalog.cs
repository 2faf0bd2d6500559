using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Verification;

/// <summary>A committed fixture, declared once: its file name, what it covers, and the case to run. Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).</summary>
public sealed record FixtureDeclaration(string Name, DType DType, TrainingCase Case, string Description, string Source)
{
    public string FileName => $"{Name}.json";
}

/// <summary>
/// One declared fixture against a folder: its drift report, or that the folder lacks the file,
/// or why the file could not be compared (unreadable, or not a valid fixture).
/// Thread-safe: immutable.
/// </summary>
public sealed record FixtureDriftResult(FixtureDeclaration Declaration, FixtureDriftReport? Report, string? Error, bool Missing);

/// <summary>
/// Every fixture under fixtures/, declared once, in code. <see cref="Generate"/> runs a declaration
/// through libtorch and fills in every expectation; <see cref="Render"/> gives the exact file text.
/// Thread-safe: the declarations are made once and never changed.
/// </summary>
public static class FixtureCatalog
{
    public static IReadOnlyList<FixtureDeclaration> All { get; } =
    [
        new("worked-example", DType.Float32, WorkedExample.Case,
            "The worked example as the article ran it, in float32: every forward value, the cost, every " +
            "dJ/dA, dJ/dZ, weight and bias gradient, and the weights after one SGD step. Layer 2's z[0][0] is exactly 0 (ReLU'(0) = 0).",
            WorkedExample.Source),
        new("worked-example-f64", DType.Float64, WorkedExample.Case,
            "The worked example in float64, from the same decimal weights and data.",
            WorkedExample.Source),
        new("leaky-relu-tanh-mse-nesterov", DType.Float64,
            RandomNetworks.Seeded(101, [3, 4, 3, 2], [new LeakyRelu(0.1), Tanh.Instance, Identity.Instance], new MseLoss(),
                new Sgd(0.05, Momentum: 0.9, Nesterov: true), batchSize: 3, steps: 3),
            "leaky_relu (slope 0.1) and tanh hidden layers, MSE (mean), SGD with Nesterov momentum, two batches over three steps.",
            Generated),
        new("gelu-softplus-bce-logits-adam", DType.Float32,
            RandomNetworks.Seeded(202, [3, 3, 3, 1], [Gelu.Exact, Softplus.Default, Identity.Instance], new BinaryCrossEntropyWithLogits(),
                new Adam(0.01), batchSize: 3, steps: 3),
            "Exact (erf) GELU and softplus hidden layers, a logit output under binary_cross_entropy_with_logits, Adam, three steps.",
            Generated),
        new("gelu-tanh-elu-cross-entropy-adamw", DType.Float64,
            RandomNetworks.Seeded(303, [4, 5, 4, 3], [Gelu.TanhApproximate, new Elu(0.5), Identity.Instance], new CrossEntropy(Reduction.Mean, 1, 0.1),
                new AdamW(0.01, Amsgrad: true), batchSize: 4, steps: 3, classIndices: true),
            "GELU (tanh approximation) and ELU (alpha 0.5) hidden layers, cross_entropy on class indices with label smoothing 0.1, AdamW with amsgrad.",
            Generated),
        new("relu-softmax-half-sum-of-squares", DType.Float32,
            RandomNetworks.Seeded(404, [2, 3, 3], [Relu.Instance, Softmax.Instance], new MseLoss(Reduction.Sum, 0.5),
                new Sgd(0.1), batchSize: 3, steps: 2),
            "A softmax output layer (full Jacobian in backward) under the textbook cost ½·Σ(ŷ − y)²: mse_loss, sum, scale 0.5.",
            "seed 001's cost, ½·Σ(ŷ − y)²; " + Generated),
        new("tanh-cross-entropy-probabilities", DType.Float32,
            RandomNetworks.Seeded(505, [3, 3, 3], [Tanh.Instance, Identity.Instance], new CrossEntropy(),
                new Sgd(0.1, WeightDecay: 0.01), batchSize: 3, steps: 2),
            "cross_entropy with probability targets (averaged over samples, not elements), SGD with weight decay.",
            "seed 002's softmax cross-entropy; " + Generated),
        new("silu-cross-entropy-sgd-momentum", DType.Float64,
            RandomNetworks.Seeded(606, [4, 5, 4, 3], [Silu.Instance, Silu.Instance, Identity.Instance], new CrossEntropy(),
                new Sgd(0.1, Momentum: 0.9), batchSize: 4, steps: 3, classIndices: true),
            "Two SiLU hidden layers (silu(z) = z·sigmoid(z)), cross_entropy on class indices, SGD with momentum over three steps.",
            Generated),
        new("sigmoid-saturation-bce-clamp", DType.Float32,
            new TrainingCase(
                new NetworkSpec(1, [new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy()),
                [new LayerParameters<double>(new Matrix<double>(1, 1, [1]), [0])],
                [new Batch<double>(new Matrix<double>(4, 1, [300, -300, 300, -300]), new Matrix<double>(4, 1, [0, 1, 1, 0]), TargetKind.Values)],
                new Sgd(0.1)),
            "Sigmoid at z = ±300 (exactly 0 and 1 in float32) under BCE: confident wrong answers hit the log clamp at −100 " +
            "and the gradient's ε (1e-12), confident right ones cost exactly 0.",
            "PyTorch's clamps; hand-built"),
        new("sigmoid-saturation-bce-clamp-f64", DType.Float64,
            new TrainingCase(
                new NetworkSpec(1, [new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy()),
                [new LayerParameters<double>(new Matrix<double>(1, 1, [1]), [0])],
                [new Batch<double>(new Matrix<double>(4, 1, [800, -800, 800, -800]), new Matrix<double>(4, 1, [0, 1, 1, 0]), TargetKind.Values)],
                new Sgd(0.1)),
            "The BCE clamp in float64: sigmoid at z = ±800 is exactly 0 and 1 in double (±300 is not), so confident wrong answers " +
            "hit the log clamp at −100 and the gradient's ε (1e-12), and confident right ones cost exactly 0.",
            "PyTorch's clamps; hand-built"),
        new("mse-mean-three-outputs", DType.Float64,
            RandomNetworks.Seeded(701, [2, 4, 3], [Tanh.Instance, Identity.Instance], new MseLoss(),
                new Sgd(0.1), batchSize: 4, steps: 2),
            "mse_loss under mean with k = 3 output units and n = 4 samples: PyTorch divides by n·k = 12, every element, " +
            "not by n; a mean over samples only makes every gradient 3 times as large.",
            Generated),
        new("bce-mean-three-outputs", DType.Float64,
            RandomNetworks.Seeded(702, [2, 4, 3], [Relu.Instance, Sigmoid.Instance], new BinaryCrossEntropy(),
                new Sgd(0.1), batchSize: 4, steps: 2),
            "binary_cross_entropy under mean with k = 3 sigmoid outputs and n = 4 samples: PyTorch divides by n·k = 12.",
            Generated),
        new("cross-entropy-saturated-logits", DType.Float32,
            new TrainingCase(
                new NetworkSpec(2, [new LayerSpec(3, Identity.Instance)], new CrossEntropy()),
                [new LayerParameters<double>(Matrix<double>.FromRows([[40, -40], [-30, 50], [20, 10]]), [0, 1, -1])],
                [new Batch<double>(Matrix<double>.FromRows([[1, -1], [2, 0.5], [-1, 3], [0.5, 0.5]]), new Matrix<double>(4, 1, [0, 2, 1, 2]), TargetKind.ClassIndices)],
                new Sgd(0.01)),
            "cross_entropy on logits more than 300 apart, so softmax saturates to probabilities of exactly 1 and 0 in float32 and naive " +
            "e^x overflows: the confident right samples cost about 0, the one confident wrong sample its logit gap (16).",
            "hand-built"),
        new("adam-tiny-gradients", DType.Float64,
            TinyFirstInput(RandomNetworks.Seeded(704, [3, 4, 2], [Tanh.Instance, Identity.Instance], new MseLoss(),
                new Adam(0.01), batchSize: 3, steps: 3)),
            "Adam where the first input is a billion times smaller than the others, so the gradients of the first layer's weights " +
            "on it are about 1e-9, below Adam's ε (1e-8): there, and only there, where ε is added decides the update.",
            Generated + "; the first input then multiplied by 1e-9"),
        new("sgd-dampening-three-steps", DType.Float64,
            RandomNetworks.Seeded(705, [3, 4, 2], [Relu.Instance, Identity.Instance], new MseLoss(),
                new Sgd(0.05, Momentum: 0.9, Dampening: 0.5), batchSize: 3, steps: 3),
            "SGD with momentum 0.9 and dampening 0.5 over three steps: PyTorch's first momentum buffer is the gradient itself, " +
            "undamped; dampening applies from the second step on, so only multi-step fixtures see it.",
            Generated),
        new("overflow-to-infinity", DType.Float32,
            new TrainingCase(
                new NetworkSpec(2, [new LayerSpec(1, Identity.Instance)], new MseLoss(Reduction.Sum)),
                [new LayerParameters<double>(Matrix<double>.FromRows([[1e10, 1]]), [0])],
                [new Batch<double>(Matrix<double>.FromRows([[1e30, 1], [1, 1]]), Matrix<double>.FromRows([[0], [0]]), TargetKind.Values)],
                new Sgd(0.1)),
            "A float32 pre-activation that overflows (1e30 · 1e10) to +Infinity: the cost, gradients and updated weights hold " +
            "\"Infinity\" and \"-Infinity\", written as the format's strings, which a reader must take as IEEE infinities.",
            "hand-built"),
        new("square-weights-f64", DType.Float64,
            RandomNetworks.Seeded(707, [3, 3, 3, 2], [Tanh.Instance, Tanh.Instance, Identity.Instance], new MseLoss(),
                new Sgd(0.1), batchSize: 3, steps: 2),
            "Square 3×3 weight matrices in float64: a transposed ∂J/∂W still has the right shape here, so only its values can tell.",
            Generated),
        new("softmax-layer-f64", DType.Float64,
            RandomNetworks.Seeded(708, [3, 4, 3], [Relu.Instance, Softmax.Instance], new MseLoss(Reduction.Sum, 0.5),
                new Sgd(0.1), batchSize: 3, steps: 2),
            "A softmax activation layer in float64 under ½·Σ(ŷ − y)²: its backward is the full vector-Jacobian product, not a diagonal.",
            "seed 001's cost; " + Generated),
        new("relu-exact-kinks", DType.Float64,
            new TrainingCase(
                new NetworkSpec(2, [new LayerSpec(3, Relu.Instance), new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy()),
                [
                    new LayerParameters<double>(Matrix<double>.FromRows([[1, -1], [0.5, 0.25], [-1, 0]]), [0, -0.75, 1]),
                    new LayerParameters<double>(Matrix<double>.FromRows([[0.5, -1, 0.25]]), [0]),
                ],
                [new Batch<double>(Matrix<double>.FromRows([[1, 1], [1, 1], [1, 0.5]]), Matrix<double>.FromRows([[1], [0], [1]]), TargetKind.Values)],
                new Sgd(0.5)),
            "Dyadic weights and inputs put several ReLU pre-activations at exactly 0, where ReLU'(0) = 0.",
            "PyTorch's ReLU kink; hand-built"),
        new("seed-001-sigmoid-half-sum-of-squares", DType.Float64,
            RandomNetworks.Seeded(1001, [2, 3, 2], [Sigmoid.Instance, Sigmoid.Instance], new MseLoss(Reduction.Sum, 0.5),
                new Sgd(0.5), batchSize: 3, steps: 2).InLayout(Layout.ColumnsOutIn),
            "Seed 001's 2-3-2 sigmoid/sigmoid network with L = ½·Σ(ŷ − y)², in its convention: column vectors " +
            "(x is 2×n) and W out×in, so z = W·a + b and dW = dZ·Aᵀ. Two SGD steps.",
            "seed 001 (Q&A on matrix-form backprop); " + Generated),
        new("seed-002-sigmoid-softmax-cross-entropy", DType.Float64,
            RandomNetworks.Seeded(1002, [4, 5, 3], [Sigmoid.Instance, Identity.Instance], new CrossEntropy(),
                new Sgd(0.5), batchSize: 4, steps: 2, oneHot: true).InLayout(Layout.ColumnsInOut),
            "Seed 002's two-layer classifier in small dimensions: a sigmoid hidden layer, softmax + cross-entropy on one-hot " +
            "labels, in its convention: column vectors and W stored in×out, so z = Wᵀ·x + b and dW = x·dZᵀ. Two SGD steps.",
            "seed 002 (CS229 two-layer network); " + Generated),
        new("seed-003-relu-relu-sigmoid-per-example", DType.Float64,
            RandomNetworks.Seeded(1003, [3, 4, 2, 1], [Relu.Instance, Relu.Instance, Sigmoid.Instance], new BinaryCrossEntropy(),
                new Sgd(0.1), batchSize: 1, steps: 4, batchCount: 4).InLayout(Layout.ColumnsOutIn),
            "Seed 003's 3-4-2-1 ReLU/ReLU/sigmoid network with BCE, trained per example: four batches of one column " +
            "vector each, one SGD step per example (29 parameters).",
            "seed 003 (\"The Math behind Neural Networks\", Ng's notation); " + Generated),
    ];

    private const string Generated = "generated: seeded uniform values rounded to 2 decimals, weights within ±1/√fan-in as nn.Linear";

    /// <summary>The case with every batch's first input multiplied by 1e-9 (so that its weights' gradients are tiny).</summary>
    private static TrainingCase TinyFirstInput(TrainingCase c) => c with
    {
        Batches = c.Batches.Select(b =>
        {
            Matrix<double> x = b.X.Clone();
            for (int i = 0; i < x.Rows; i++) x[i, 0] *= 1e-9;
            return b with { X = x };
        }).ToArray(),
    };

    /// <summary>The declaration as a fixture, every expectation computed by <paramref name="witness"/>.</summary>
    public static Fixture Generate(FixtureDeclaration declaration, IWitness witness)
    {
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(witness);
        IReadOnlyList<StepRecord<double>> steps = witness.Run(declaration.Case, declaration.DType);
        return new Fixture(
            declaration.Name, declaration.DType, declaration.Case,
            steps.Select(StepExpectation.From).ToArray(),
            Description: declaration.Description,
            Source: declaration.Source,
            Generator: $"backprop fixtures generate ({witness.Name})");
    }

    /// <summary>The exact text of the declaration's file.</summary>
    public static string Render(FixtureDeclaration declaration, IWitness witness) => FixtureWriter.Write(Generate(declaration, witness));

    /// <summary>
    /// Regenerates every declared fixture in memory and compares it with the file in
    /// <paramref name="directory"/>, number by number (<see cref="FixtureDrift"/>): each result is
    /// a report, or that the folder lacks the file, or why it could not be compared (unreadable, invalid).
    /// </summary>
    public static IReadOnlyList<FixtureDriftResult> CheckDrift(string directory, IWitness witness)
        => All.Select(d => Drift(d, Path.Combine(directory, d.FileName), witness)).ToArray();

    private static FixtureDriftResult Drift(FixtureDeclaration declaration, string path, IWitness witness)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return new(declaration, null, null, Missing: true);
        }

        // Read as the fixture reader reads: a regular file, bounded, strict UTF-8 (a FIFO in the folder would block forever).
        string committed;
        try
        {
            committed = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true)
                .GetString(BoundedFile.Read(path, FixtureReader.MaxFileBytes, "fixtures"));
        }
        catch (InvalidDataException e)
        {
            return new(declaration, null, e.Message, Missing: false);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            return new(declaration, null, $"{path}: not valid UTF-8: {e.Message}", Missing: false);
        }

        try
        {
            return new(declaration, FixtureDrift.Compare(committed, Render(declaration, witness)), null, Missing: false);
        }
        catch (FixtureFormatException e)
        {
            return new(declaration, null, $"{path}: {e.Message}", Missing: false);
        }
    }
}
