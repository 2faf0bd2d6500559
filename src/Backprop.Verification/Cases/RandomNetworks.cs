using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Verification;

/// <summary>How values are drawn: the regimes the property suite covers. Thread-safe: a value.</summary>
public enum ValueRegime
{
    /// <summary>Gaussian weights at nn.Linear's scale times 0.5, 1 or 2; gaussian inputs.</summary>
    Gaussian,

    /// <summary>Multiples of 1/4 in [−2, 2] (half the time only {−1, −½, 0, ½, 1}): sums are exact, so pre-activations hit kinks exactly.</summary>
    Dyadic,

    /// <summary>Gaussian values ten times larger: saturated sigmoids and tanhs, large logits.</summary>
    Large,
}

/// <summary>
/// Bounds for generated networks, a value regime to use instead of the seed's draw, and the
/// vocabulary to draw from: activation, loss and optimizer names ("none" for no optimizer) and
/// layouts. Null means everything. identity may always end a network (logit losses need it).
/// Thread-safe: immutable.
/// </summary>
public sealed record RandomNetworkOptions(
    int MaxDepth = 6, int MaxWidth = 24, int MaxBatch = 16, int MaxInputs = 24, int MaxSteps = 5, ValueRegime? Regime = null)
{
    public IReadOnlySet<string>? Activations { get; init; }

    public IReadOnlySet<string>? Losses { get; init; }

    public IReadOnlySet<string>? Optimizers { get; init; }

    public IReadOnlyList<Layout>? Layouts { get; init; }

    /// <summary>
    /// Bounds for <paramref name="dtype"/> (float32: inner dimensions ≤ 3, where libtorch's float32
    /// sums come in a plain loop's order) restricted to the named vocabulary: activation, loss and
    /// optimizer names (<c>none</c> for no optimizer), layouts as samples/weights
    /// (<c>rows/out-in</c>). Null means everything. Throws <see cref="ArgumentException"/> naming the
    /// list (<c>activations: unknown "swish"; known: …</c>), or when no network can be drawn.
    /// </summary>
    public static RandomNetworkOptions For(
        DType dtype, int maxSteps, IEnumerable<string>? activations, IEnumerable<string>? losses, IEnumerable<string>? optimizers, IEnumerable<string>? layouts)
    {
        if (maxSteps is < 1 or > 5)
        {
            throw new ArgumentException($"max-steps: expected 1 to 5, got {maxSteps}");
        }

        static IReadOnlySet<string>? Names(string list, IEnumerable<string>? given, IEnumerable<string> known)
        {
            if (given is null)
            {
                return null;
            }

            string[] names = given.ToArray(), knownNames = known.ToArray();
            if (names.Length == 0)
            {
                throw new ArgumentException($"{list}: no names given; known: {string.Join(", ", knownNames)}");
            }

            if (names.FirstOrDefault(n => !knownNames.Contains(n)) is { } unknown)
            {
                throw new ArgumentException($"{list}: unknown \"{unknown}\"; known: {string.Join(", ", knownNames)}");
            }

            return names.ToHashSet();
        }

        IReadOnlyList<Layout>? layoutList = null;
        if (layouts is not null)
        {
            string[] names = layouts.ToArray();
            if (names.Length == 0)
            {
                throw new ArgumentException($"layouts: no layouts given; known: {string.Join(", ", Layout.All.Select(Name))}");
            }

            layoutList = names.Select(n => Layout.All.FirstOrDefault(l => Name(l) == n)
                ?? throw new ArgumentException($"layouts: unknown \"{n}\"; known: {string.Join(", ", Layout.All.Select(Name))}")).ToArray();
        }

        RandomNetworkOptions options = (dtype == DType.Float32 ? Float32 : new RandomNetworkOptions()) with
        {
            MaxSteps = maxSteps,
            Activations = Names("activations", activations, Vocabulary.Activations.Select(k => k.Name)),
            Losses = Names("losses", losses, Vocabulary.Losses.Select(k => k.Name)),
            Optimizers = Names("optimizers", optimizers, Vocabulary.Optimizers.Select(k => k.Name).Prepend("none")),
            Layouts = layoutList,
        };
        _ = RandomNetworks.Build(0, dtype, options); // refuses a vocabulary from which no network can be drawn
        return options;
    }

    private static string Name(Layout layout) => $"{layout.SamplesName}/{layout.WeightsName}";

    /// <summary>Small enough for float32 to sum in libtorch's order (inner dimensions ≤ 3, measured).</summary>
    public static RandomNetworkOptions Float32 { get; } = new(MaxDepth: 4, MaxWidth: 3, MaxBatch: 3, MaxInputs: 3);
}

/// <summary>A generated case: the network, data and optimizer, the dtype to run it in, and how its values were drawn. Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).</summary>
public sealed record RandomNetwork(int Seed, TrainingCase Case, DType DType, ValueRegime Regime)
{
    /// <summary>
    /// True when libtorch's run left the range where end-to-end comparison means anything: some
    /// value above 1e6 in size (training diverged). There, sums of huge terms cancel to results
    /// whose rounding (1e-16 of the terms) dwarfs any tolerance on the result. Such runs are still
    /// compared operation by operation.
    /// </summary>
    public bool Diverged(IReadOnlyList<StepRecord<double>> torch)
    {
        static bool Big(IEnumerable<double> values) => values.Any(v => Math.Abs(v) > 1e6);
        return torch.Any(step => Math.Abs(step.Cost) > 1e6 || step.Layers.Any(l =>
            Big(l.Z.Data) || Big(l.A.Data) || Big(l.GradA.Data) || Big(l.GradZ.Data) || Big(l.GradWeight.Data)) ||
            (step.Parameters?.Any(p => Big(p.Weight.Data) || Big(p.Bias)) ?? false));
    }

    /// <summary>
    /// True when the core and libtorch put every pre-activation in the same piece of a piecewise
    /// activation (<see cref="ElementwiseActivation.Piece"/>: relu, leaky_relu and elu at 0,
    /// softplus at its threshold). Where they differ, rounding alone picked the derivative, and an
    /// end-to-end comparison past that step compares different branches.
    /// </summary>
    public bool SameBranches(IReadOnlyList<StepRecord<double>> torch, IReadOnlyList<StepRecord<double>> core)
    {
        for (int k = 0; k < torch.Count; k++)
        {
            for (int l = 0; l < Case.Network.Layers.Count; l++)
            {
                if (Case.Network.Layers[l].Activation is not ElementwiseActivation g)
                {
                    continue;
                }

                double[] a = torch[k].Layers[l].Z.Data, b = core[k].Layers[l].Z.Data;
                for (int i = 0; i < a.Length; i++)
                {
                    if (g.Piece(a[i]) != g.Piece(b[i]))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>True when some pre-activation of the run sits exactly on its activation's kink (relu, leaky_relu or elu at 0).</summary>
    public bool HitsKink(IReadOnlyList<StepRecord<double>> run)
        => run.Any(step => step.Layers.Where((layer, l) => Case.Network.Layers[l].Activation is ElementwiseActivation g && layer.Z.Data.Any(g.IsKink)).Any());

    /// <summary>
    /// True when libtorch's own run overflowed: a non-finite Z, A or gradient from finite inputs.
    /// Past overflow, whether a sum is ±∞ or NaN depends on summation order and on fused
    /// multiply-add (∞ − ∞), so such a run cannot be compared element for element; the suite counts
    /// these instead.
    /// </summary>
    public bool Overflowed(IReadOnlyList<StepRecord<double>> torch)
        => torch.Any(step => !double.IsFinite(step.Cost) || step.Layers.Any(l =>
            l.Z.Data.Any(v => !double.IsFinite(v)) || l.A.Data.Any(v => !double.IsFinite(v)) ||
            l.GradZ.Data.Any(v => !double.IsFinite(v)) || l.GradWeight.Data.Any(v => !double.IsFinite(v))));

    public override string ToString()
    {
        NetworkSpec n = Case.Network;
        return $"seed {Seed}: {DType.ToName()} {n.Widths} [{string.Join(", ", n.Layers.Select(l => l.Activation.ToString()))}] {n.Loss}, " +
               $"{Regime}, batch {Case.Layout.SampleCount(Case.Batches[0].X)}, {Case.Steps} step(s), " +
               $"{Case.Optimizer?.ToString() ?? "no optimizer"}, {Case.Layout}";
    }
}

/// <summary>
/// Random dense networks over the core's whole vocabulary, drawn from one seed: depth, widths,
/// batch, any activation per layer, an output and loss that fit each other, any optimizer with
/// random settings, any layout, 1–N steps over one or two batches, values from a
/// <see cref="ValueRegime"/>. The same seed and options give the same network.
/// Thread-safe: it holds no state; every case is drawn from its own seeded Random.
/// </summary>
public static class RandomNetworks
{
    /// <summary>Every registered activation's examples: each kind's default and its variants.</summary>
    private static readonly Activation[] Hidden = Vocabulary.Activations.SelectMany(k => k.Examples).ToArray();

    /// <summary>What each case of the optimizer draw is, by name.</summary>
    private static readonly string[] OptimizerCaseNames = ["none", "sgd", "sgd", "sgd", "adam", "adamw"];

    /// <summary>The output-and-loss cases of the draw that the options allow.</summary>
    private static int[] OutputCases(RandomNetworkOptions options, Activation[] pool)
    {
        bool Loss(string name) => options.Losses?.Contains(name) ?? true;
        bool Output(string name) => options.Activations?.Contains(name) ?? true;
        bool[] allowed =
        [
            Loss("binary_cross_entropy") && Output("sigmoid"),
            Loss("binary_cross_entropy_with_logits"),
            Loss("mse_loss") && pool.Length > 0,
            Loss("cross_entropy"),
            Loss("cross_entropy"),
            Loss("mse_loss") && Output("softmax"),
            Loss("binary_cross_entropy") && Output("sigmoid"),
        ];
        return Enumerable.Range(0, allowed.Length).Where(i => allowed[i]).ToArray();
    }

    /// <summary>The case of <see cref="Build"/> for float64, in PyTorch's layout, for tests that turn it themselves.</summary>
    public static TrainingCase Case(int seed, RandomNetworkOptions options) => Build(seed, DType.Float64, options).Case.InLayout(Layout.RowsOutIn);

    public static RandomNetwork Build(int seed, DType dtype, RandomNetworkOptions? options = null)
    {
        options ??= new RandomNetworkOptions();
        var random = new Random(seed);

        // float32 leaves out exact GELU: on tensors of 2+ elements libtorch computes it with a fast
        // erf whose error (about 1e-7) a cancelling cdf + x·pdf magnifies past float32's tolerance
        // (found by this suite: z = −3.44 gave 1.5e-5 relative). That divergence is pinned in
        // ActivationFamilyTests; float64 and the float32 activation families still cover exact GELU.
        Activation[] pool = (dtype == DType.Float32 ? Hidden.Where(a => a != Gelu.Exact) : Hidden)
            .Where(a => options.Activations?.Contains(a.Name) ?? true).ToArray();
        int[] outputCases = OutputCases(options, pool);
        int[] optimizers = Enumerable.Range(0, 6).Where(i => options.Optimizers?.Contains(OptimizerCaseNames[i]) ?? true).ToArray();
        IReadOnlyList<Layout> layouts = options.Layouts ?? Layout.All;

        if (outputCases.Length == 0 || optimizers.Length == 0 || layouts.Count == 0)
        {
            throw new ArgumentException(
                outputCases.Length == 0 ? "no output layer and loss can be drawn from these activations and losses (sigmoid for binary_cross_entropy; " +
                                      "identity, always allowed, for the logit losses; any activation for mse_loss)"
                : optimizers.Length == 0 ? "no optimizer can be drawn: give sgd, adam, adamw or none"
                : "no layout to draw from");
        }

        var regime = (ValueRegime)random.Next(3);
        regime = options.Regime ?? regime;
        double scale = regime switch { ValueRegime.Large => 10, _ => new[] { 0.5, 1, 2 }[random.Next(3)] };
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        // Dyadic values are multiples of 1/4 in [−2, 2]; half the dyadic networks use only
        // {−1, −½, 0, ½, 1}, on which sums land on 0 (a kink) far more often.
        bool coarse = random.Next(2) == 0;
        double Value(double unit) => regime == ValueRegime.Dyadic
            ? (coarse ? random.Next(-2, 3) / 2.0 : random.Next(-8, 9) / 4.0)
            : Gaussian() * unit * scale;

        int inputs = random.Next(1, options.MaxInputs + 1);
        int hidden = pool.Length == 0 ? 0 : random.Next(0, options.MaxDepth);
        var layers = Enumerable.Range(0, hidden)
            .Select(_ => new LayerSpec(random.Next(1, options.MaxWidth + 1), pool[random.Next(pool.Length)]))
            .ToList();

        Reduction reduction = random.Next(4) == 0 ? Reduction.Sum : Reduction.Mean;
        double lossScale = random.Next(5) == 0 ? 0.5 : 1;
        int maxOut = Math.Max(2, Math.Min(options.MaxWidth, 5));
        (Activation output, int outputs, Loss loss, bool indices) = outputCases[random.Next(outputCases.Length)] switch
        {
            0 => ((Activation)Sigmoid.Instance, random.Next(1, maxOut), (Loss)new BinaryCrossEntropy(reduction, lossScale), false),
            1 => (Identity.Instance, random.Next(1, maxOut), new BinaryCrossEntropyWithLogits(reduction, lossScale), false),
            2 => (pool[random.Next(pool.Length)], random.Next(1, maxOut), new MseLoss(reduction, lossScale), false),
            3 => (Identity.Instance, random.Next(2, maxOut + 1), new CrossEntropy(reduction, lossScale, random.Next(2) * 0.1), true),
            4 => (Identity.Instance, random.Next(2, maxOut + 1), new CrossEntropy(reduction, lossScale, random.Next(2) * 0.2), false),
            5 => (Softmax.Instance, random.Next(2, maxOut + 1), new MseLoss(Reduction.Sum, 0.5), false),
            _ => (Sigmoid.Instance, 1, new BinaryCrossEntropy(), false),
        };
        layers.Add(new LayerSpec(outputs, output));
        var spec = new NetworkSpec(inputs, layers, loss);

        var parameters = layers.Select((layer, i) =>
        {
            double unit = 1 / Math.Sqrt(spec.InputsOf(i + 1));
            var w = new Matrix<double>(layer.Units, spec.InputsOf(i + 1));
            for (int k = 0; k < w.Data.Length; k++) w.Data[k] = Value(unit);
            return new LayerParameters<double>(w, Enumerable.Range(0, layer.Units).Select(_ => Value(unit)).ToArray());
        }).ToArray();

        int batch = random.Next(1, options.MaxBatch + 1);
        Batch<double> MakeBatch()
        {
            var x = new Matrix<double>(batch, inputs);
            for (int k = 0; k < x.Data.Length; k++) x.Data[k] = Value(1);
            if (indices)
            {
                return new Batch<double>(x, new Matrix<double>(batch, 1, Enumerable.Range(0, batch).Select(_ => (double)random.Next(outputs)).ToArray()), TargetKind.ClassIndices);
            }

            var y = new Matrix<double>(batch, outputs);
            for (int i = 0; i < batch; i++)
            {
                Span<double> row = y.Row(i);
                for (int j = 0; j < outputs; j++)
                {
                    row[j] = loss switch
                    {
                        MseLoss => Value(1),
                        BinaryCrossEntropy or BinaryCrossEntropyWithLogits => random.Next(3) == 0 ? random.NextDouble() : random.Next(2),
                        _ => random.Next(1, 4),
                    };
                }

                if (loss is CrossEntropy)
                {
                    double sum = row.ToArray().Sum();
                    for (int j = 0; j < outputs; j++) row[j] /= sum;
                }
            }

            return new Batch<double>(x, y, TargetKind.Values);
        }

        // Large values give large gradients: a smaller step keeps SGD from overflowing double.
        double lr = regime == ValueRegime.Large ? 1e-4 : 1;
        OptimizerSpec? optimizer = optimizers[random.Next(optimizers.Length)] switch
        {
            0 => null,
            1 => new Sgd(lr * (0.01 + (random.NextDouble() * 0.2))),
            2 => new Sgd(lr * 0.05, Momentum: 0.5 + (random.NextDouble() * 0.4), Dampening: random.Next(2) * 0.1, WeightDecay: random.Next(2) * 0.01),
            3 => new Sgd(lr * 0.05, Momentum: 0.9, WeightDecay: 0.01, Nesterov: true),
            4 => new Adam(0.001 + (random.NextDouble() * 0.02), 0.8 + (random.NextDouble() * 0.15), 0.99 + (random.NextDouble() * 0.009), 1e-8, random.Next(2) * 0.01, random.Next(2) == 0),
            _ => new AdamW(0.001 + (random.NextDouble() * 0.02), WeightDecay: random.NextDouble() * 0.1, Amsgrad: random.Next(2) == 0),
        };

        Batch<double>[] batches = Enumerable.Range(0, 1 + random.Next(2)).Select(_ => MakeBatch()).ToArray();
        int steps = random.Next(1, options.MaxSteps + 1);
        Layout layout = layouts[random.Next(layouts.Count)];
        var c = new TrainingCase(spec, parameters, batches, optimizer, steps);
        return new RandomNetwork(seed, c.InLayout(layout), dtype, regime);
    }

    /// <summary>
    /// A dense network with seeded values rounded to two decimals (readable in the file): weights
    /// and biases within ±1/√fan-in, inputs in [−2, 2], targets fitted to the loss. Two batches
    /// unless told otherwise. Built in PyTorch's layout; turn it with InLayout. The committed
    /// fixtures are made so (FixtureCatalog): any change here changes their bytes.
    /// </summary>
    internal static TrainingCase Seeded(
        int seed, int[] widths, Activation[] activations, Loss loss, OptimizerSpec optimizer, int batchSize, int steps,
        bool classIndices = false, bool oneHot = false, int batchCount = 2)
    {
        var random = new Random(seed);
        double Uniform(double bound) => Math.Round(((random.NextDouble() * 2) - 1) * bound, 2) + 0.0; // + 0.0 turns −0 into 0
        var layers = activations.Select((a, i) => new LayerSpec(widths[i + 1], a)).ToArray();
        var parameters = layers.Select((layer, i) =>
        {
            double bound = 1 / Math.Sqrt(widths[i]);
            var w = new Matrix<double>(layer.Units, widths[i]);
            for (int k = 0; k < w.Data.Length; k++) w.Data[k] = Uniform(bound);
            return new LayerParameters<double>(w, Enumerable.Range(0, layer.Units).Select(_ => Uniform(bound)).ToArray());
        }).ToArray();
        int outputs = widths[^1];

        Batch<double> MakeBatch()
        {
            var x = new Matrix<double>(batchSize, widths[0]);
            for (int k = 0; k < x.Data.Length; k++) x.Data[k] = Uniform(2);
            if (classIndices)
            {
                return new Batch<double>(x, new Matrix<double>(batchSize, 1, Enumerable.Range(0, batchSize).Select(_ => (double)random.Next(outputs)).ToArray()), TargetKind.ClassIndices);
            }

            var y = new Matrix<double>(batchSize, outputs);
            for (int i = 0; i < batchSize; i++)
            {
                Span<double> row = y.Row(i);
                for (int j = 0; j < outputs; j++)
                {
                    row[j] = loss is MseLoss ? Uniform(1) : random.Next(2);
                }

                if (loss is CrossEntropy && oneHot)
                {
                    row.Clear();
                    row[random.Next(outputs)] = 1;
                }
                else if (loss is CrossEntropy)
                {
                    // Probabilities: quarters that sum to 1.
                    int[] quarters = Enumerable.Range(0, outputs).Select(_ => random.Next(1, 4)).ToArray();
                    for (int j = 0; j < outputs; j++) row[j] = quarters[j] / (double)quarters.Sum();
                }
            }

            return new Batch<double>(x, y, TargetKind.Values);
        }

        return new TrainingCase(
            new NetworkSpec(widths[0], layers, loss), parameters, Enumerable.Range(0, batchCount).Select(_ => MakeBatch()).ToArray(), optimizer, steps);
    }
}
