using System.Numerics;
using Backprop.Core.Activations;
using Backprop.Core.Losses;

namespace Backprop.Core;

/// <summary>One dense layer: <see cref="Units"/> neurons followed by an activation. Thread-safe: immutable.</summary>
public sealed record LayerSpec(int Units, Activation Activation)
{
    public Activation Activation { get; init => field = Guard.NotNull(value, nameof(Activation)); } = Guard.NotNull(Activation, nameof(Activation));
}

/// <summary>
/// The shape of a dense network: an input width, its layers in forward order, and the loss on
/// the last layer's output. Parameters live elsewhere, so one spec serves every dtype.
/// Thread-safe: immutable (as long as the list of layers given is not changed afterwards).
/// </summary>
public sealed record NetworkSpec(int Inputs, IReadOnlyList<LayerSpec> Layers, Loss Loss)
{
    public IReadOnlyList<LayerSpec> Layers { get; init => field = Guard.NoNulls(value, nameof(Layers)); } = Guard.NoNulls(Layers, nameof(Layers));

    public Loss Loss { get; init => field = Guard.NotNull(value, nameof(Loss)); } = Guard.NotNull(Loss, nameof(Loss));

    /// <summary>Layer widths from input to output: for the worked example 2-3-2-1.</summary>
    public string Widths => string.Join('-', Layers.Select(l => l.Units).Prepend(Inputs));

    /// <summary>The input width of layer l (1-based): the units of the layer before it.</summary>
    public int InputsOf(int l) => l == 1 ? Inputs : Layers[l - 2].Units;
}

/// <summary>
/// A layer's weight W (out×in as PyTorch's nn.Linear, or in×out, as the layout says) and bias b
/// (out). Not thread-safe: the matrix and the array are mutable, and an optimizer updates them in place.
/// </summary>
public sealed record LayerParameters<T>(Matrix<T> Weight, T[] Bias)
    where T : INumberBase<T>
{
    public Matrix<T> Weight { get; init => field = Guard.NotNull(value, nameof(Weight)); } = Guard.NotNull(Weight, nameof(Weight));

    public T[] Bias { get; init => field = Guard.NotNull(value, nameof(Bias)); } = Guard.NotNull(Bias, nameof(Bias));

    public LayerParameters<TOut> Convert<TOut>()
        where TOut : INumberBase<TOut>
        => new(Weight.Convert<TOut>(), Array.ConvertAll(Bias, TOut.CreateTruncating));

    public LayerParameters<T> DeepCopy() => new(Weight.Clone(), (T[])Bias.Clone());
}

/// <summary>
/// A spec with its parameters in one dtype, checked to fit together. Forward and backward passes
/// only read it, so several threads may run them at once, each with its own
/// <see cref="Workspace{T}"/>; an optimizer step writes its parameters, and must not overlap them
/// (<see cref="TrainingSession{T}"/> refuses a second thread).
/// </summary>
public sealed class Network<T>
    where T : IFloatingPointIeee754<T>
{
    public Network(NetworkSpec spec, IReadOnlyList<LayerParameters<T>> parameters, Layout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parameters);
        Layout = layout ?? Layout.RowsOutIn;
        CheckShapes(spec, parameters, Layout);
        Spec = spec;
        Parameters = parameters.Select(p => p.DeepCopy()).ToArray();
    }

    public NetworkSpec Spec { get; }

    /// <summary>How the parameters, the batches and every record are oriented.</summary>
    public Layout Layout { get; }

    /// <summary>The current parameters, layer 1 first; an optimizer step updates them in place.</summary>
    public LayerParameters<T>[] Parameters { get; }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the layer, both shapes and the expected
    /// orientation when a weight or bias does not fit the spec.
    /// </summary>
    public static void CheckShapes<TAny>(NetworkSpec spec, IReadOnlyList<LayerParameters<TAny>> parameters, Layout? layout = null)
        where TAny : INumberBase<TAny>
    {
        layout ??= Layout.RowsOutIn;
        if (spec.Inputs < 1)
        {
            throw new ArgumentException($"the network must take at least 1 input, but takes {spec.Inputs}");
        }

        if (spec.Layers.Count == 0)
        {
            throw new ArgumentException("the network must have at least one layer");
        }

        Guard.NoNulls(parameters, nameof(parameters));
        if (parameters.Count != spec.Layers.Count)
        {
            throw new ArgumentException(
                $"the network has {spec.Layers.Count} layers but {parameters.Count} sets of parameters were given");
        }

        for (int l = 1; l <= spec.Layers.Count; l++)
        {
            int units = spec.Layers[l - 1].Units, inputs = spec.InputsOf(l);
            if (units < 1)
            {
                throw new ArgumentException($"layer {l}: a layer must have at least 1 unit, but has {units}");
            }

            Matrix<TAny> w = parameters[l - 1].Weight;
            (int rows, int cols) = layout.WeightShape(units, inputs);
            if (w.Rows != rows || w.Cols != cols)
            {
                throw new ArgumentException(
                    $"layer {l}: weight is {w.Shape} but the layer takes {inputs} inputs and has {units} units, " +
                    $"so it must be {rows}×{cols} {layout.WeightOrientation}");
            }

            int biasLength = parameters[l - 1].Bias.Length;
            if (biasLength != units)
            {
                throw new ArgumentException(
                    $"layer {l}: bias has {biasLength} elements but the layer has {units} units, so it must have {units}");
            }
        }
    }

    /// <summary>Checks that X holds at least one sample of the network's inputs in its layout; returns the sample count.</summary>
    public int CheckInputs(Matrix<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if ((Layout.SamplesInColumns ? x.Rows : x.Cols) != Spec.Inputs)
        {
            throw new ArgumentException(
                $"x: layout samples={Layout.SamplesName} expects {Layout.DescribeSampleShape(Spec.Inputs)}, got {x.Shape}");
        }

        int n = Layout.SampleCount(x);
        if (n < 1)
        {
            throw new ArgumentException("x must hold at least one sample");
        }

        return n;
    }

    /// <summary>
    /// Checks a batch against the network and its layout: X holds n samples of the network's
    /// inputs, Y n samples of its outputs, or n class indices (n×1 in every layout) for a loss that
    /// takes them. A square X or Y fits either orientation; it is read in the declared one. Then
    /// the targets' values, as PyTorch checks them (<see cref="Loss.CheckTargets{T}"/>).
    /// </summary>
    public void CheckBatch(Batch<T> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Matrix<T> y = batch.Y;
        int n = CheckInputs(batch.X);
        CheckTargetShape(batch, y, n);

        // The values last: class indices that are whole and in range, BCE's targets in [0, 1].
        Spec.Loss.CheckTargets(y, batch.Targets, Spec.Layers[^1].Units);
    }

    private void CheckTargetShape(Batch<T> batch, Matrix<T> y, int n)
    {

        int outputs = Spec.Layers[^1].Units;
        if (batch.ClassIndices)
        {
            if (!Spec.Loss.AcceptsClassIndices)
            {
                throw new ArgumentException($"{Spec.Loss.Name} takes targets shaped like the output, not class indices");
            }

            if (y.Rows != n || y.Cols != 1)
            {
                throw new ArgumentException(
                    $"the class indices y are {y.Shape} but x holds {n} samples, so y must be {n}×1 (one index per sample)");
            }

            return;
        }

        (int rows, int cols) = Layout.SampleShape(n, outputs);
        if (y.Rows != rows || y.Cols != cols)
        {
            throw new ArgumentException(
                $"y: layout samples={Layout.SamplesName} expects {rows}×{cols} ({n} samples of the network's {outputs} outputs), got {y.Shape}");
        }
    }
}
