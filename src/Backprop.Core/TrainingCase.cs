using System.Numerics;
using Backprop.Core.Optimizers;

namespace Backprop.Core;

/// <summary>What a batch's targets are. Thread-safe: a value.</summary>
public enum TargetKind
{
    /// <summary>Values shaped like the network's output, oriented as the layout says.</summary>
    Values,

    /// <summary>An n×1 column of class indices, one per sample, in every layout (cross_entropy only).</summary>
    ClassIndices,
}

/// <summary>
/// One batch: inputs X and targets Y, oriented as the case's layout says (n×inputs with samples
/// in rows, inputs×n with samples in columns), and what Y holds (<see cref="Targets"/>).
/// Thread-safe to read: nothing in the core writes a batch.
/// </summary>
public sealed record Batch<T>(Matrix<T> X, Matrix<T> Y, TargetKind Targets)
    where T : INumberBase<T>
{
    public Matrix<T> X { get; init => field = Guard.NotNull(value, nameof(X)); } = Guard.NotNull(X, nameof(X));

    public Matrix<T> Y { get; init => field = Guard.NotNull(value, nameof(Y)); } = Guard.NotNull(Y, nameof(Y));

    public bool ClassIndices => Targets == TargetKind.ClassIndices;

    public Batch<TOut> Convert<TOut>()
        where TOut : INumberBase<TOut>
        => new(X.Convert<TOut>(), Y.Convert<TOut>(), Targets);
}

/// <summary>
/// Everything needed to train a network for some steps, in any dtype: the spec, the starting
/// parameters, the batches (step k uses batch k mod count), the optimizer (null: gradients only),
/// the step count, and the <see cref="Layout"/> every matrix is given in. Values are held as
/// double; float32 values widen to double exactly, and a float32 run narrows them back unchanged.
/// Thread-safe to read: running a case copies its parameters and never writes its batches.
/// </summary>
public sealed record TrainingCase(
    NetworkSpec Network,
    IReadOnlyList<LayerParameters<double>> Parameters,
    IReadOnlyList<Batch<double>> Batches,
    OptimizerSpec? Optimizer,
    int Steps = 1)
{
    public NetworkSpec Network { get; init => field = Guard.NotNull(value, nameof(Network)); } = Guard.NotNull(Network, nameof(Network));

    public IReadOnlyList<LayerParameters<double>> Parameters { get; init => field = Guard.NoNulls(value, nameof(Parameters)); } = Guard.NoNulls(Parameters, nameof(Parameters));

    public IReadOnlyList<Batch<double>> Batches { get; init => field = Guard.NoNulls(value, nameof(Batches)); } = Guard.NoNulls(Batches, nameof(Batches));

    /// <summary>How the parameters and batches are oriented (default: PyTorch's).</summary>
    public Layout Layout { get; init; } = Layout.RowsOutIn;

    /// <summary>The same case with every matrix turned into <paramref name="target"/>'s orientation.</summary>
    public TrainingCase InLayout(Layout target) => this with
    {
        Layout = target,
        Parameters = Parameters.Select(p => new LayerParameters<double>(Layout.WeightTo(target, p.Weight), (double[])p.Bias.Clone())).ToArray(),
        Batches = Batches.Select(b => b with
        {
            X = Layout.SamplesTo(target, b.X),
            Y = b.ClassIndices ? b.Y.Clone() : Layout.SamplesTo(target, b.Y),
        }).ToArray(),
    };

    /// <summary>The batch that step k (0-based) uses.</summary>
    public Batch<double> BatchOfStep(int k) => Batches[k % Batches.Count];

    /// <summary>Checks the counts and every shape before anything is computed.</summary>
    public void Validate()
    {
        var probe = new Network<double>(Network, Parameters, Layout); // checks every weight and bias shape
        Optimizer?.Validate();
        if (Batches.Count == 0)
        {
            throw new ArgumentException("a case needs at least one batch");
        }

        if (Steps < 1)
        {
            throw new ArgumentException($"a case must take at least 1 step, but asks for {Steps}");
        }

        foreach (Batch<double> batch in Batches)
        {
            probe.CheckBatch(batch);
        }
    }
}
