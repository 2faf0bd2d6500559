using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core;

/// <summary>
/// The backpropagation algorithm for a dense network, in any of the four layouts (DenseFormulas
/// holds each one's products). Written here in PyTorch's (samples in rows, W out×in, seed 004),
/// with A⁰ = X and layers l = 1..L:
/// <code>
///   forward   Zˡ = Aˡ⁻¹·Wˡᵀ + bˡ          Aˡ = gˡ(Zˡ)             J = loss(Aᴸ, Y)
///   backward  dAᴸ = ∂J/∂Aᴸ               dZˡ = dAˡ ⊙ gˡ'(Zˡ)      (softmax: the full vector-Jacobian product)
///             dWˡ = dZˡᵀ·Aˡ⁻¹            dbˡ = Σ_rows dZˡ        dAˡ⁻¹ = dZˡ·Wˡ
/// </code>
/// The 1/m of a mean cost is already inside dAᴸ, so no step below divides by the batch size.
/// Thread-safe: it holds no state; a <see cref="Workspace{T}"/> serves one pass at a time.
/// </summary>
public static class Backpropagation
{
    /// <summary>Runs one forward and one backward pass; the network's parameters are not changed.</summary>
    public static StepRecord<T> ForwardBackward<T>(Network<T> network, Batch<T> batch)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(batch);
        var w = new Workspace<T>(network, network.CheckInputs(batch.X));
        T cost = ForwardBackward(network, batch, w);
        LayerRecord<T>[] layers = Enumerable.Range(1, network.Spec.Layers.Count)
            .Select(l => new LayerRecord<T>(w.Z[l], w.A[l], w.dA[l], w.dZ[l], w.dW[l], w.db[l]))
            .ToArray();
        return new StepRecord<T>(cost, layers, null);
    }

    /// <summary>
    /// One forward and one backward pass into <paramref name="w"/>, which holds every Z, A, dA,
    /// dZ, dW and db afterwards (until its next use); returns the cost. Allocates nothing, so a
    /// training loop that keeps its workspace runs without garbage.
    /// </summary>
    public static T ForwardBackward<T>(Network<T> network, Batch<T> batch, Workspace<T> w)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(w);
        network.CheckBatch(batch);
        w.CheckFits(network, batch.X);
        w.Enter();
        try
        {
            return Pass(network, batch, w);
        }
        finally
        {
            w.Exit();
        }
    }

    private static T Pass<T>(Network<T> network, Batch<T> batch, Workspace<T> w)
        where T : IFloatingPointIeee754<T>
    {
        (NetworkSpec spec, Layout layout) = (network.Spec, network.Layout);
        SampleAxis samples = layout.Samples;
        int L = spec.Layers.Count;
        Forward(network, batch.X, w);

        T cost = spec.Loss.Cost(w.A[L], batch.Y, batch.Targets, samples);
        spec.Loss.Gradient(w.A[L], batch.Y, w.dA[L], batch.Targets, samples);

        for (int l = L; l >= 1; l--)
        {
            spec.Layers[l - 1].Activation.Backward(w.Z[l], w.A[l], w.dA[l], w.dZ[l], samples);
            DenseFormulas.Backward(layout, w.dZ[l], w.A[l - 1], network.Parameters[l - 1].Weight, w.dW[l], w.db[l], l > 1 ? w.dA[l - 1] : null, w.Kernels);
        }

        return cost;
    }

    /// <summary>The forward pass alone: the network's output Aᴸ for the inputs <paramref name="x"/>.</summary>
    public static Matrix<T> Predict<T>(Network<T> network, Matrix<T> x)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        var w = new Workspace<T>(network, network.CheckInputs(x));
        Forward(network, x, w);
        return w.A[^1];
    }

    /// <summary>Zˡ and Aˡ for l = 1..L into the workspace, with A⁰ = X.</summary>
    private static void Forward<T>(Network<T> network, Matrix<T> x, Workspace<T> w)
        where T : IFloatingPointIeee754<T>
    {
        (NetworkSpec spec, Layout layout) = (network.Spec, network.Layout);
        w.A[0] = x;
        for (int l = 1; l <= spec.Layers.Count; l++)
        {
            DenseFormulas.Forward(layout, network.Parameters[l - 1].Weight, network.Parameters[l - 1].Bias, w.A[l - 1], w.Z[l], w.Kernels);
            spec.Layers[l - 1].Activation.Forward(w.Z[l], w.A[l], layout.Samples);
        }
    }
}

/// <summary>
/// Every matrix one forward and backward pass writes, for one network shape and sample count,
/// indexed by layer l = 1..L as the algorithm names them (A[0] is the batch's X while a pass
/// runs; dA[0] stays empty, as no layer needs ∂J/∂X). Allocated once and reused step after
/// step, so training allocates nothing. Not thread-safe: a pass writes every matrix, so a pass
/// started on a second thread while one runs throws <see cref="InvalidOperationException"/>
/// instead of mixing the two; give each thread its own workspace.
/// </summary>
public sealed class Workspace<T>
    where T : IFloatingPointIeee754<T>
{
    private int busy;

    /// <summary>A workspace whose products run with the default <see cref="KernelOptions"/> (one thread).</summary>
    public Workspace(Network<T> network, int samples)
        : this(network, samples, KernelOptions.Default)
    {
    }

    public Workspace(Network<T> network, int samples, KernelOptions kernels)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Kernels = kernels;
        (NetworkSpec spec, Layout layout) = (network.Spec, network.Layout);
        Samples = samples;
        Spec = spec;
        Layout = layout;
        int L = spec.Layers.Count;
        (Z, A, dA, dZ, dW, db) = (new Matrix<T>[L + 1], new Matrix<T>[L + 1], new Matrix<T>[L + 1], new Matrix<T>[L + 1], new Matrix<T>[L + 1], new T[L + 1][]);
        A[0] = new Matrix<T>(0, 0);
        (Z[0], dA[0], dZ[0], dW[0], db[0]) = (A[0], A[0], A[0], A[0], []);
        for (int l = 1; l <= L; l++)
        {
            (int rows, int cols) = layout.SampleShape(samples, spec.Layers[l - 1].Units);
            Matrix<T> weight = network.Parameters[l - 1].Weight;
            (Z[l], A[l], dA[l], dZ[l]) = (new(rows, cols), new(rows, cols), new(rows, cols), new(rows, cols));
            (dW[l], db[l]) = (new(weight.Rows, weight.Cols), new T[spec.Layers[l - 1].Units]);
        }
    }

    /// <summary>The sample count every matrix is sized for.</summary>
    public int Samples { get; }

    /// <summary>How the passes that use this workspace run their products (threads, path).</summary>
    public KernelOptions Kernels { get; }

    public NetworkSpec Spec { get; }

    public Layout Layout { get; }

#pragma warning disable SA1300, IDE1006 // the algorithm's names: dA, dZ, dW, db
    public Matrix<T>[] Z { get; }

    public Matrix<T>[] A { get; }

    public Matrix<T>[] dA { get; }

    public Matrix<T>[] dZ { get; }

    public Matrix<T>[] dW { get; }

    public T[][] db { get; }
#pragma warning restore SA1300, IDE1006

    /// <summary>Claims the workspace for one pass, or throws when another thread holds it.</summary>
    internal void Enter()
    {
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException(
                "this Workspace is already in use by a forward and backward pass on another thread; a pass writes every matrix in it, so give each thread its own workspace");
        }
    }

    internal void Exit() => Volatile.Write(ref busy, 0);

    /// <summary>Checks that this workspace was made for the network's shape and layout and the batch's sample count.</summary>
    public void CheckFits(Network<T> network, Matrix<T> x)
    {
        ArgumentNullException.ThrowIfNull(network);
        int samples = network.Layout.SampleCount(x);
        bool sameWidths = network.Spec.Inputs == Spec.Inputs && network.Spec.Layers.Count == Spec.Layers.Count;
        for (int l = 0; sameWidths && l < Spec.Layers.Count; l++)
        {
            sameWidths = network.Spec.Layers[l].Units == Spec.Layers[l].Units;
        }

        if (!sameWidths || network.Layout != Layout || samples != Samples)
        {
            throw new ArgumentException(
                $"the workspace was made for {Spec.Widths} in layout {Layout} with {Samples} samples, not {network.Spec.Widths} in {network.Layout} with {samples}");
        }
    }
}
