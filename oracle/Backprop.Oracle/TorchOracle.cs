using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Verification;
using TorchSharp;
using Linear = TorchSharp.Modules.Linear;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Backprop.Oracle;

/// <summary>
/// The witness. Builds the same network in libtorch from <c>nn.Linear</c> layers, copies the
/// case's weights in under <c>no_grad</c>, runs the forward pass with <c>retain_grad()</c> on every
/// Z and A, takes the cost from <c>torch.nn.functional</c>, calls <c>backward()</c> and steps with
/// <c>torch.optim</c>. It reports each step in the same <see cref="StepRecord{T}"/> the core does.
/// Thread-safe: each run makes its own TorchSession.
/// </summary>
public static class TorchOracle
{
    /// <summary>
    /// One intra-op thread: the networks are small, and a fixed thread count takes thread
    /// scheduling out of libtorch's summation order, so the witness gives the same bits every run.
    /// </summary>
    static TorchOracle() => set_num_threads(1);

    /// <summary>The library versions the oracle runs on, for fixtures to record.</summary>
    public static string Versions => $"TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)}, libtorch {LibTorchVersion}";

    /// <summary>The libtorch the package ships (TorchSharp-cpu 0.107.0 carries 2.10.0).</summary>
    public const string LibTorchVersion = "2.10.0";

    /// <summary>
    /// Runs the case in libtorch. libtorch works in PyTorch's layout (samples in rows, W out×in), so
    /// a case in another layout is turned into it on the way in, and the records back on the way out:
    /// the witness converts, the core does not.
    /// </summary>
    public static IReadOnlyList<StepRecord<double>> Run(TrainingCase trainingCase, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(trainingCase);

        // Every shape is checked in C# first: a shape error inside libtorch's matmul aborts the
        // process instead of throwing.
        trainingCase.Validate();
        Layout layout = trainingCase.Layout;
        return RunInPyTorchLayout(trainingCase.InLayout(Layout.RowsOutIn), dtype)
            .Select(step => step.InLayout(Layout.RowsOutIn, layout))
            .ToArray();
    }

    private static IReadOnlyList<StepRecord<double>> RunInPyTorchLayout(TrainingCase trainingCase, DType dtype)
    {
        using var session = new TorchSession(trainingCase, dtype);
        return Enumerable.Range(0, trainingCase.Steps).Select(k => session.Step(trainingCase.BatchOfStep(k))).ToArray();
    }

    /// <summary>
    /// libtorch's counterpart of every activation in <see cref="Vocabulary"/>, by name: each is the
    /// <c>torch.nn.functional</c> function of the same name with the activation's settings. One
    /// line per activation; a new one in the core needs one here.
    /// </summary>
    private static readonly Dictionary<string, Func<Activation, Tensor, Tensor>> Activations = new()
    {
        ["identity"] = (_, z) => z,
        ["relu"] = (_, z) => F.relu(z),
        ["leaky_relu"] = (g, z) => F.leaky_relu(z, ((LeakyRelu)g).NegativeSlope),
        ["sigmoid"] = (_, z) => F.sigmoid(z),
        ["tanh"] = (_, z) => F.tanh(z),
        ["softmax"] = (_, z) => F.softmax(z, 1),
        ["gelu"] = (g, z) => F.gelu(z, ((Gelu)g).TanhApproximation ? TorchSharp.Modules.GELU.Approximate.tanh : TorchSharp.Modules.GELU.Approximate.none),
        ["softplus"] = (g, z) => F.softplus(z, ((Softplus)g).Beta, ((Softplus)g).Threshold),
        ["elu"] = (g, z) => F.elu(z, ((Elu)g).Alpha),
        ["silu"] = (_, z) => F.silu(z),
    };

    /// <summary>libtorch's counterpart of every loss in <see cref="Vocabulary"/>, reduced but not yet scaled.</summary>
    private static readonly Dictionary<string, Func<Loss, Tensor, Tensor, nn.Reduction, Tensor>> Losses = new()
    {
        ["binary_cross_entropy"] = (_, output, target, reduction) => F.binary_cross_entropy(output, target, reduction: reduction),
        ["binary_cross_entropy_with_logits"] = (_, output, target, reduction) => F.binary_cross_entropy_with_logits(output, target, reduction: reduction),
        ["mse_loss"] = (_, output, target, reduction) => F.mse_loss(output, target, reduction),
        ["cross_entropy"] = (loss, output, target, reduction) =>
            F.cross_entropy(output, target, reduction: reduction, label_smoothing: ((CrossEntropy)loss).LabelSmoothing),
    };

    /// <summary>
    /// torch.optim's optimizers, every argument passed explicitly: TorchSharp's defaults differ from
    /// PyTorch's in places (AdamW's weight_decay is 0 there, 0.01 in PyTorch; the optim.Adam factory's
    /// beta2 is 0.99). maximize is always false: TorchSharp's SGD flips weight decay's sign under
    /// maximize, unlike PyTorch, and the fixture format has no maximize.
    /// </summary>
    private static readonly Dictionary<string, Func<OptimizerSpec, Parameter[], optim.Optimizer>> Optimizers = new()
    {
        ["sgd"] = (o, p) => o is Sgd s ? optim.SGD(p, s.Lr, s.Momentum, s.Dampening, s.WeightDecay, s.Nesterov, maximize: false) : throw Unexpected(o),
        ["adam"] = (o, p) => o is Adam a ? new TorchSharp.Modules.Adam(p, a.Lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, a.Amsgrad, maximize: false) : throw Unexpected(o),
        ["adamw"] = (o, p) => o is AdamW a ? new TorchSharp.Modules.AdamW(p, a.Lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, a.Amsgrad, maximize: false) : throw Unexpected(o),
    };

    /// <summary>Whether the oracle has a libtorch counterpart for every activation, loss and optimizer of <see cref="Vocabulary"/> named so.</summary>
    public static bool Supports(string name) => Activations.ContainsKey(name) || Losses.ContainsKey(name) || Optimizers.ContainsKey(name);

    internal static void CheckSupported(TrainingCase trainingCase)
    {
        foreach (LayerSpec layer in trainingCase.Network.Layers)
        {
            Counterpart(Activations, layer.Activation.Name, "activation");
        }

        Counterpart(Losses, trainingCase.Network.Loss.Name, "loss");
        if (trainingCase.Optimizer is { } optimizer)
        {
            Counterpart(Optimizers, optimizer.Name, "optimizer");
        }
    }

    /// <summary>The activation as libtorch computes it.</summary>
    internal static Tensor Activate(Activation activation, Tensor z) => Counterpart(Activations, activation.Name, "activation")(activation, z);

    /// <summary>The loss as libtorch computes it, scaled only when asked, which keeps the default graph exactly PyTorch's.</summary>
    internal static Tensor Cost(Loss loss, Tensor output, Tensor target)
    {
        Tensor reduced = Counterpart(Losses, loss.Name, "loss")(
            loss, output, target, loss.Reduction == Reduction.Mean ? nn.Reduction.Mean : nn.Reduction.Sum);
        return loss.Scale == 1 ? reduced : reduced * loss.Scale;
    }

    internal static optim.Optimizer? CreateOptimizer(OptimizerSpec? spec, Parameter[] parameters)
        => spec is null ? null : Counterpart(Optimizers, spec.Name, "optimizer")(spec, parameters);

    private static TValue Counterpart<TValue>(Dictionary<string, TValue> registry, string name, string what)
        => registry.TryGetValue(name, out TValue? value)
            ? value
            : throw new NotSupportedException($"the oracle has no libtorch counterpart for {what} \"{name}\"");

    private static NotSupportedException Unexpected(OptimizerSpec spec) => new($"optimizer \"{spec.Name}\" came as {spec.GetType().Name}");

    /// <summary>
    /// A copy in libtorch's own (64-byte aligned) memory. TorchSharp's tensor(double[]) wraps the
    /// pinned managed array, whose alignment follows the garbage collector, and libtorch's BLAS
    /// picks kernels by alignment: without the copy, the same float64 product came out differently
    /// in the last bit from one call to the next (measured), and fixtures drifted.
    /// </summary>
    internal static Tensor ToTensor(Matrix<double> m, ScalarType type)
        => tensor(m.Data, [m.Rows, m.Cols], ScalarType.Float64).to_type(type, copy: true);

    internal static Tensor ToTensor(double[] v, ScalarType type)
        => tensor(v, [v.Length], ScalarType.Float64).to_type(type, copy: true);

    private static double[] Values(Tensor t)
    {
        using Tensor flat = t.detach().to_type(ScalarType.Float64).contiguous();
        return flat.data<double>().ToArray();
    }

    internal static Matrix<double> ToMatrix(Tensor t)
    {
        if (t.dim() != 2)
        {
            throw new InvalidOperationException($"expected a 2-D tensor, got shape [{string.Join(", ", t.shape)}]");
        }

        return new Matrix<double>((int)t.shape[0], (int)t.shape[1], Values(t));
    }

    internal static double[] ToVector(Tensor t) => Values(t);
}

/// <summary>libtorch as the witness that verification asks (fixtures, random cases). Thread-safe: each run makes its own TorchSession.</summary>
public sealed class TorchWitness : IWitness
{
    public static TorchWitness Instance { get; } = new();

    private TorchWitness()
    {
    }

    public string Name => $"Backprop.Oracle: {TorchOracle.Versions}";

    public IReadOnlyList<StepRecord<double>> Run(TrainingCase trainingCase, DType dtype) => TorchOracle.Run(trainingCase, dtype);
}
