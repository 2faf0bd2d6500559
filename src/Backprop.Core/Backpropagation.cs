using System.Numerics;

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
/// </summary>
public static class Backpropagation
{
    /// <summary>Runs one forward and one backward pass; the network's parameters are not changed.</summary>
    public static StepRecord<T> ForwardBackward<T>(Network<T> network, Batch<T> batch)
        where T : IFloatingPointIeee754<T>
    {
        network.CheckBatch(batch);
        (NetworkSpec spec, Layout layout) = (network.Spec, network.Layout);
        Matrix<T> y = batch.Y;
        bool columns = layout.SamplesInColumns;
        int L = spec.Layers.Count;
        (Matrix<T>[] Z, Matrix<T>[] A) = Forward(network, batch.X);

        T cost = spec.Loss.Cost(A[L], y, batch.ClassIndices, columns);

        var dA = new Matrix<T>[L + 1];
        var layers = new LayerRecord<T>[L];
        dA[L] = new Matrix<T>(A[L].Rows, A[L].Cols);
        spec.Loss.Gradient(A[L], y, dA[L], batch.ClassIndices, columns);

        for (int l = L; l >= 1; l--)
        {
            (Matrix<T> W, T[] b) = (network.Parameters[l - 1].Weight, network.Parameters[l - 1].Bias);
            var dZ = new Matrix<T>(Z[l].Rows, Z[l].Cols);
            spec.Layers[l - 1].Activation.Backward(Z[l], A[l], dA[l], dZ, columns);

            var dW = new Matrix<T>(W.Rows, W.Cols);
            var db = new T[b.Length];
            Matrix<T>? dAPrevious = l > 1 ? new Matrix<T>(A[l - 1].Rows, A[l - 1].Cols) : null;
            DenseFormulas.Backward(layout, dZ, A[l - 1], W, dW, db, dAPrevious);
            if (dAPrevious is not null)
            {
                dA[l - 1] = dAPrevious;
            }
            layers[l - 1] = new LayerRecord<T>(Z[l], A[l], dA[l], dZ, dW, db);
        }

        return new StepRecord<T>(cost, layers, null);
    }

    /// <summary>The forward pass alone: the network's output Aᴸ for the inputs <paramref name="x"/>.</summary>
    public static Matrix<T> Predict<T>(Network<T> network, Matrix<T> x)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x);
        network.CheckInputs(x);
        return Forward(network, x).A[^1];
    }

    /// <summary>Zˡ and Aˡ for l = 1..L, with A⁰ = X (Z⁰ is unused).</summary>
    private static (Matrix<T>[] Z, Matrix<T>[] A) Forward<T>(Network<T> network, Matrix<T> x)
        where T : IFloatingPointIeee754<T>
    {
        (NetworkSpec spec, Layout layout) = (network.Spec, network.Layout);
        int L = spec.Layers.Count, m = layout.Samples(x);
        var Z = new Matrix<T>[L + 1];
        var A = new Matrix<T>[L + 1];
        A[0] = x;

        for (int l = 1; l <= L; l++)
        {
            (Matrix<T> W, T[] b) = (network.Parameters[l - 1].Weight, network.Parameters[l - 1].Bias);
            (int rows, int cols) = layout.SampleShape(m, b.Length);
            Z[l] = new Matrix<T>(rows, cols);
            DenseFormulas.Forward(layout, W, b, A[l - 1], Z[l]);
            A[l] = new Matrix<T>(rows, cols);
            spec.Layers[l - 1].Activation.Forward(Z[l], A[l], layout.SamplesInColumns);
        }

        return (Z, A);
    }
}
