using System.Numerics;
using Backprop.Core;
using Backprop.Oracle;
using Backprop.Core.Activations;
using Backprop.Cli;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Cli;

/// <summary>
/// The settings of a side-by-side training run; the defaults are <c>backprop train</c>'s, and the
/// limits its --help states. Thread-safe: immutable.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>At most this many hidden layers.</summary>
    public const int MaxHiddenLayers = 16;

    /// <summary>No hidden layer wider than this.</summary>
    public const int MaxWidth = 4096;

    /// <summary>No network with more weights than this (every layer's, the output layer's included).</summary>
    public const int MaxWeights = 1 << 22;

    /// <summary>No run of more steps than this (epochs × minibatches per epoch).</summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>Widths of the hidden layers; the output layer follows from the data set.</summary>
    public IReadOnlyList<int> Hidden { get; init => field = value ?? throw new ArgumentNullException(nameof(Hidden)); } = [64, 32];

    /// <summary>The hidden layers' activation.</summary>
    public Activation Activation { get; init => field = value ?? throw new ArgumentNullException(nameof(Activation)); } = Relu.Instance;

    public OptimizerSpec Optimizer { get; init => field = value ?? throw new ArgumentNullException(nameof(Optimizer)); } = new Sgd(0.01, Momentum: 0.9);

    public int Epochs { get; init; } = 20;

    public int BatchSize { get; init; } = 32;

    public DType DType { get; init; } = DType.Float32;

    /// <summary>Seeds the split, the starting weights and the minibatch order.</summary>
    public int Seed { get; init; } = 1;

    public double TestFraction { get; init; } = 0.2;

    /// <summary>Checks every setting that does not depend on the data; throws <see cref="ArgumentException"/> naming it.</summary>
    public void Validate()
    {
        if (Hidden.Any(w => w < 1))
        {
            throw new ArgumentException($"every hidden layer needs at least 1 unit, got {string.Join(",", Hidden)}");
        }

        if (Hidden.Count > MaxHiddenLayers)
        {
            throw new ArgumentException($"--layers: {Hidden.Count} hidden layers are more than the limit of {MaxHiddenLayers}");
        }

        if (Hidden.FirstOrDefault(w => w > MaxWidth) is int wide and > 0)
        {
            throw new ArgumentException($"--layers: a hidden layer of {wide} units is wider than the limit of {MaxWidth}");
        }

        if (!(TestFraction > 0 && TestFraction < 1))
        {
            throw new ArgumentException($"the test fraction must lie strictly between 0 and 1, got {TestFraction}");
        }

        if (Epochs < 1)
        {
            throw new ArgumentException($"--epochs must be at least 1, got {Epochs}");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException($"--batch must be at least 1, got {BatchSize}");
        }

        Optimizer.Validate(DType);
    }
}

/// <summary>One training step: both costs on the step's minibatch, and the parameters' divergence after the update. Thread-safe: immutable.</summary>
public sealed record TrainingStep(int Step, int Epoch, double CoreLoss, double TorchLoss, double Divergence);

/// <summary>The end of an epoch: accuracies of both implementations and the largest divergence of the epoch's steps. Thread-safe: immutable.</summary>
public sealed record TrainingEpoch(
    int Epoch,
    double CoreLoss,
    double TorchLoss,
    double CoreTrainAccuracy,
    double TorchTrainAccuracy,
    double CoreTestAccuracy,
    double TorchTestAccuracy,
    double MaxDivergence);

/// <summary>A finished run: every step and every epoch. Thread-safe: immutable.</summary>
public sealed record TrainingResult(
    string Dataset,
    NetworkSpec Network,
    TrainingOptions Options,
    int TrainSamples,
    int TestSamples,
    IReadOnlyList<TrainingStep> Steps,
    IReadOnlyList<TrainingEpoch> Epochs)
{
    public TrainingEpoch Final => Epochs[^1];

    /// <summary>The largest divergence after any step of the run.</summary>
    public double MaxRelativeDivergence => Steps.Max(s => s.Divergence);
}

/// <summary>
/// Trains the core and libtorch side by side on a real data set: the same starting weights, the
/// same minibatches in the same order, and after every step the divergence of their parameters,
/// max over tensors of ‖p_core − p_torch‖∞ / ‖p_torch‖∞ (normwise, so a weight near zero does not
/// blow it up). Two classes train a sigmoid unit under binary_cross_entropy, more classes train
/// logits under cross_entropy. The data are split with the seed and standardised on the training
/// part; each epoch visits the training part in a fresh seeded order, the last batch taking what
/// is left (as PyTorch's DataLoader with drop_last=False).
/// Thread-safe: each run has its own core session and libtorch session.
/// </summary>
public static class SideBySideTraining
{
    /// <summary>The network trained on <paramref name="data"/>: the hidden layers, then the output layer the classes call for.</summary>
    public static NetworkSpec Network(Dataset data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        LayerSpec[] hidden = options.Hidden.Select(w => new LayerSpec(w, options.Activation)).ToArray();
        return data.Classes == 2
            ? new NetworkSpec(data.Features.Cols, [.. hidden, new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy())
            : new NetworkSpec(data.Features.Cols, [.. hidden, new LayerSpec(data.Classes, Identity.Instance)], new CrossEntropy());
    }

    /// <summary>How many steps a run takes: every epoch visits the training part, the last batch taking what is left.</summary>
    public static long TotalSteps(Dataset data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        int train = data.Labels.Length - Dataset.TestCount(data.Labels.Length, options.TestFraction);
        return (long)options.Epochs * ((train + options.BatchSize - 1) / Math.Max(1, options.BatchSize));
    }

    /// <summary>
    /// Everything that can be refused before training, with the option, the value and the limit:
    /// the options themselves, a batch larger than the training part, a network of more than
    /// <see cref="TrainingOptions.MaxWeights"/> weights, more than <see cref="TrainingOptions.MaxSteps"/> steps.
    /// </summary>
    public static void Check(Dataset data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int samples = data.Labels.Length, train = samples - Dataset.TestCount(samples, options.TestFraction);
        if (train < 1)
        {
            throw new ArgumentException($"{samples} samples leave none for training with a test fraction of {options.TestFraction}");
        }

        if (options.BatchSize > train)
        {
            throw new ArgumentException($"--batch {options.BatchSize} is larger than the training set ({train} of {data.Name}'s {samples} samples)");
        }

        NetworkSpec network = Network(data, options);
        long weights = Enumerable.Range(1, network.Layers.Count).Sum(l => (long)network.Layers[l - 1].Units * network.InputsOf(l));
        if (weights > TrainingOptions.MaxWeights)
        {
            throw new ArgumentException($"--layers: the network {network.Widths} has {weights} weights, more than the limit of {TrainingOptions.MaxWeights}");
        }

        long steps = TotalSteps(data, options);
        if (steps > TrainingOptions.MaxSteps)
        {
            throw new ArgumentException(
                $"--epochs {options.Epochs} with --batch {options.BatchSize} on {train} training samples is {steps} steps, more than the limit of {TrainingOptions.MaxSteps}");
        }
    }

    /// <summary>
    /// Splits <paramref name="data"/> and trains. <paramref name="onStep"/> and
    /// <paramref name="onEpoch"/> report as the run goes (for a progress bar). Throws
    /// <see cref="ArgumentException"/> for settings that cannot run, before any training.
    /// </summary>
    public static TrainingResult Run(Dataset data, TrainingOptions options, Action<TrainingStep>? onStep = null, Action<TrainingEpoch>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Check(data, options);
        (Dataset train, Dataset test) = data.Split(options.TestFraction, options.Seed);
        return options.DType == DType.Float32
            ? Run<float>(train, test, options, onStep, onEpoch)
            : Run<double>(train, test, options, onStep, onEpoch);
    }

    private static TrainingResult Run<T>(Dataset train, Dataset test, TrainingOptions options, Action<TrainingStep>? onStep, Action<TrainingEpoch>? onEpoch)
        where T : IFloatingPointIeee754<T>
    {
        NetworkSpec spec = Network(train, options);
        TargetKind targets = train.Classes != 2 ? TargetKind.ClassIndices : TargetKind.Values;
        var random = new Random(options.Seed);
        var trainingCase = new TrainingCase(spec, Initialization.PyTorchDefault(spec, random), [], options.Optimizer);
        var core = new TrainingSession<T>(trainingCase);
        using var torch = new TorchSession(trainingCase, options.DType);

        int n = train.Labels.Length;
        int[] everyTrainRow = Enumerable.Range(0, n).ToArray();
        int[] everyTestRow = Enumerable.Range(0, test.Labels.Length).ToArray();
        Batch<double> trainAll = train.Batch(everyTrainRow, targets), testAll = test.Batch(everyTestRow, targets);
        var steps = new List<TrainingStep>();
        var epochs = new List<TrainingEpoch>();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            int[] order = (int[])everyTrainRow.Clone();
            random.Shuffle(order);
            int first = steps.Count;
            for (int start = 0; start < n; start += options.BatchSize)
            {
                Batch<double> batch = train.Batch(order.AsSpan(start, Math.Min(options.BatchSize, n - start)), targets);
                double coreCost = double.CreateChecked(core.Train(batch.Convert<T>()));
                double torchCost = torch.Train(batch);
                LayerParameters<double>[] coreParameters = core.Network.Parameters.Select(p => p.Convert<double>()).ToArray();
                var step = new TrainingStep(steps.Count + 1, epoch, coreCost, torchCost, Divergence(coreParameters, torch.Parameters()));
                steps.Add(step);
                onStep?.Invoke(step);
            }

            List<TrainingStep> these = steps.GetRange(first, steps.Count - first);
            var summary = new TrainingEpoch(
                epoch,
                these.Average(s => s.CoreLoss),
                these.Average(s => s.TorchLoss),
                Accuracy(Output(core.Network, trainAll), train.Labels),
                Accuracy(torch.Predict(trainAll.X), train.Labels),
                Accuracy(Output(core.Network, testAll), test.Labels),
                Accuracy(torch.Predict(testAll.X), test.Labels),
                these.Max(s => s.Divergence));
            epochs.Add(summary);
            onEpoch?.Invoke(summary);
        }

        return new TrainingResult(train.Name, spec, options, n, test.Labels.Length, steps, epochs);
    }

    private static Matrix<double> Output<T>(Network<T> network, Batch<double> batch)
        where T : IFloatingPointIeee754<T>
        => Backpropagation.Predict(network, batch.X.Convert<T>()).Convert<double>();

    /// <summary>
    /// The share of rows whose prediction is the label: a single sigmoid unit predicts class 1 at
    /// ≥ 0.5, several logits predict the first largest.
    /// </summary>
    public static double Accuracy(Matrix<double> output, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(labels);
        if (output.Rows != labels.Count)
        {
            throw new ArgumentException($"{output.Rows} outputs for {labels.Count} labels");
        }

        int correct = 0;
        for (int i = 0; i < output.Rows; i++)
        {
            ReadOnlySpan<double> row = output.Row(i);
            int predicted = row.Length == 1 ? (row[0] >= 0.5 ? 1 : 0) : row.IndexOf(MaxOf(row));
            correct += predicted == labels[i] ? 1 : 0;
        }

        return (double)correct / output.Rows;
    }

    private static double MaxOf(ReadOnlySpan<double> row)
    {
        double max = row[0];
        foreach (double v in row)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    /// <summary>
    /// max over layers of ‖(W, b)_core − (W, b)_torch‖∞ / ‖(W, b)_torch‖∞: a layer's weights and
    /// bias are taken together, so a one-element bias near zero does not stand for the layer.
    /// 0 where both are zero, ∞ where only libtorch's layer is; NaN anywhere gives NaN.
    /// </summary>
    public static double Divergence(IReadOnlyList<LayerParameters<double>> core, IReadOnlyList<LayerParameters<double>> torch)
    {
        ArgumentNullException.ThrowIfNull(core);
        ArgumentNullException.ThrowIfNull(torch);
        if (core.Count != torch.Count)
        {
            throw new ArgumentException($"{core.Count} layers against {torch.Count}");
        }

        double worst = 0;
        for (int l = 0; l < core.Count; l++)
        {
            if (core[l].Weight.Data.Length != torch[l].Weight.Data.Length || core[l].Bias.Length != torch[l].Bias.Length)
            {
                throw new ArgumentException($"layer {l + 1}: {core[l].Weight.Shape} and {core[l].Bias.Length} against {torch[l].Weight.Shape} and {torch[l].Bias.Length}");
            }

            double difference = 0, norm = 0;
            foreach ((double c, double t) in core[l].Weight.Data.Zip(torch[l].Weight.Data).Concat(core[l].Bias.Zip(torch[l].Bias)))
            {
                // Math.Max keeps a NaN once it has one: a NaN parameter never reads as agreement.
                difference = Math.Max(difference, Math.Abs(c - t));
                norm = Math.Max(norm, Math.Abs(t));
            }

            worst = Math.Max(worst, difference == 0 ? 0 : difference / norm);
        }

        return worst;
    }
}
