using Backprop.Core.Kernels;
using System.Numerics;

namespace Backprop.Core;

/// <summary>
/// The backpropagation algorithm for a dense network, samples in rows and W out×in (PyTorch's
/// convention, seed 004). With A⁰ = X and layers l = 1..L:
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
        (Matrix<T> x, Matrix<T> y) = (batch.X, batch.Y);
        NetworkSpec spec = network.Spec;
        int L = spec.Layers.Count, m = x.Rows;
        var Z = new Matrix<T>[L + 1];
        var A = new Matrix<T>[L + 1];
        A[0] = x;

        for (int l = 1; l <= L; l++)
        {
            (Matrix<T> W, T[] b) = (network.Parameters[l - 1].Weight, network.Parameters[l - 1].Bias);
            Z[l] = new Matrix<T>(m, W.Rows);
            Gemm.MultiplyTransposedB<T>(A[l - 1].Data, W.Data, Z[l].Data, m, W.Cols, W.Rows);
            RowOps.AddToEveryRow<T>(Z[l].Data, b, m, W.Rows);
            A[l] = new Matrix<T>(m, W.Rows);
            spec.Layers[l - 1].Activation.Forward(Z[l], A[l]);
        }

        T cost = spec.Loss.Cost(A[L], y, batch.ClassIndices);

        var dA = new Matrix<T>[L + 1];
        var layers = new LayerRecord<T>[L];
        dA[L] = new Matrix<T>(m, A[L].Cols);
        spec.Loss.Gradient(A[L], y, dA[L], batch.ClassIndices);

        for (int l = L; l >= 1; l--)
        {
            Matrix<T> W = network.Parameters[l - 1].Weight;
            var dZ = new Matrix<T>(m, W.Rows);
            spec.Layers[l - 1].Activation.Backward(Z[l], A[l], dA[l], dZ);

            var dW = new Matrix<T>(W.Rows, W.Cols);
            Gemm.MultiplyTransposedA<T>(dZ.Data, A[l - 1].Data, dW.Data, W.Rows, m, W.Cols);
            var db = new T[W.Rows];
            RowOps.ColumnSums<T>(dZ.Data, db, m, W.Rows);

            if (l > 1)
            {
                dA[l - 1] = new Matrix<T>(m, W.Cols);
                Gemm.Multiply<T>(dZ.Data, W.Data, dA[l - 1].Data, m, W.Rows, W.Cols);
            }

            layers[l - 1] = new LayerRecord<T>(Z[l], A[l], dA[l], dZ, dW, db);
        }

        return new StepRecord<T>(cost, layers, null);
    }
}
