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

    internal static void CheckSupported(TrainingCase trainingCase)
    {
        foreach (LayerSpec layer in trainingCase.Network.Layers)
        {
            _ = Activate(layer.Activation, null);
        }

        _ = Cost(trainingCase.Network.Loss, null, null);
        _ = CreateOptimizer(trainingCase.Optimizer, null);
    }

    /// <summary>The activation as libtorch computes it; with a null tensor only checks that it is known.</summary>
    internal static Tensor Activate(Activation activation, Tensor? z) => activation switch
    {
        _ when z is null => Known(activation),
        Identity => z,
        Relu => F.relu(z),
        LeakyRelu l => F.leaky_relu(z, l.NegativeSlope),
        Sigmoid => F.sigmoid(z),
        Tanh => F.tanh(z),
        Softmax => F.softmax(z, 1),
        Gelu g => F.gelu(z, g.TanhApproximation ? TorchSharp.Modules.GELU.Approximate.tanh : TorchSharp.Modules.GELU.Approximate.none),
        Softplus s => F.softplus(z, s.Beta, s.Threshold),
        Elu e => F.elu(z, e.Alpha),
        _ => throw new NotSupportedException($"the oracle has no libtorch counterpart for activation \"{activation.Name}\""),
    };

    private static Tensor Known(Activation activation) => activation switch
    {
        Identity or Relu or LeakyRelu or Sigmoid or Tanh or Softmax or Gelu or Softplus or Elu => null!,
        _ => throw new NotSupportedException($"the oracle has no libtorch counterpart for activation \"{activation.Name}\""),
    };

    internal static Tensor Cost(Loss loss, Tensor? output, Tensor? target)
    {
        nn.Reduction reduction = loss.Reduction == Reduction.Mean ? nn.Reduction.Mean : nn.Reduction.Sum;
        Tensor? reduced = loss switch
        {
            BinaryCrossEntropy or BinaryCrossEntropyWithLogits or MseLoss or CrossEntropy when output is null => null,
            BinaryCrossEntropy => F.binary_cross_entropy(output!, target!, reduction: reduction),
            BinaryCrossEntropyWithLogits => F.binary_cross_entropy_with_logits(output!, target!, reduction: reduction),
            MseLoss => F.mse_loss(output!, target!, reduction),
            CrossEntropy ce => F.cross_entropy(output!, target!, reduction: reduction, label_smoothing: ce.LabelSmoothing),
            _ => throw new NotSupportedException($"the oracle has no libtorch counterpart for loss \"{loss.Name}\""),
        };

        // Scaling only when asked keeps the default graph exactly PyTorch's.
        return reduced is null || loss.Scale == 1 ? reduced! : reduced * loss.Scale;
    }

    /// <summary>
    /// torch.optim's optimizers, every argument passed explicitly: TorchSharp's defaults differ from
    /// PyTorch's in places (AdamW's weight_decay is 0 there, 0.01 in PyTorch; the optim.Adam factory's
    /// beta2 is 0.99). maximize is always false: TorchSharp's SGD flips weight decay's sign under
    /// maximize, unlike PyTorch, and the fixture format has no maximize.
    /// </summary>
    internal static optim.Optimizer? CreateOptimizer(OptimizerSpec? spec, Parameter[]? parameters) => spec switch
    {
        null => null,
        Sgd or Adam when parameters is null => null,
        Sgd s => optim.SGD(parameters!, s.Lr, s.Momentum, s.Dampening, s.WeightDecay, s.Nesterov, maximize: false),
        AdamW a => new TorchSharp.Modules.AdamW(parameters!, a.Lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, a.Amsgrad, maximize: false),
        Adam a => new TorchSharp.Modules.Adam(parameters!, a.Lr, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, a.Amsgrad, maximize: false),
        _ => throw new NotSupportedException($"the oracle has no libtorch counterpart for optimizer \"{spec.Name}\""),
    };

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

/// <summary>libtorch as the witness that verification asks (fixtures, random cases).</summary>
public sealed class TorchWitness : IWitness
{
    public static TorchWitness Instance { get; } = new();

    private TorchWitness()
    {
    }

    public string Name => $"Backprop.Oracle: {TorchOracle.Versions}";

    public IReadOnlyList<StepRecord<double>> Run(TrainingCase trainingCase, DType dtype) => TorchOracle.Run(trainingCase, dtype);
}
