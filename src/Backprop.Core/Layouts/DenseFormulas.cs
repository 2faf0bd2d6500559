using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core;

/// <summary>
/// A dense layer's products in each layout, written as each convention's textbook writes them
/// (A is the layer's input, n the sample count):
/// <code>
///   layout              forward           ∂J/∂W            ∂J/∂b              ∂J/∂A (layer input)
///   rows,    out-in     Z = A·Wᵀ + b      dW = dZᵀ·A       Σ dZ over rows     dA = dZ·W
///   rows,    in-out     Z = A·W + b       dW = Aᵀ·dZ       Σ dZ over rows     dA = dZ·Wᵀ
///   columns, out-in     Z = W·A + b       dW = dZ·Aᵀ       Σ dZ over columns  dA = Wᵀ·dZ
///   columns, in-out     Z = Wᵀ·A + b      dW = A·dZᵀ       Σ dZ over columns  dA = W·dZ
/// </code>
/// Every entry is the same sum in the same order in all four (over inputs, samples or units,
/// ascending, and IEEE products commute), so the four layouts agree bitwise.
/// Thread-safe: it holds no state.
/// </summary>
public static class DenseFormulas
{
    /// <summary>Z from the layer input A, in <paramref name="layout"/>'s orientation; <paramref name="kernels"/> say how the product runs.</summary>
    public static void Forward<T>(Layout layout, Matrix<T> W, T[] b, Matrix<T> A, Matrix<T> Z, KernelOptions kernels)
        where T : IFloatingPointIeee754<T>
    {
        (int units, int inputs) = layout.WeightsInOut ? (W.Cols, W.Rows) : (W.Rows, W.Cols);
        int n = layout.SampleCount(A);
        switch (layout.SamplesInColumns, layout.WeightsInOut)
        {
            case (false, false): Gemm.MultiplyTransposedB<T>(A.Data, W.Data, Z.Data, n, inputs, units, kernels); break; // A·Wᵀ
            case (false, true): Gemm.Multiply<T>(A.Data, W.Data, Z.Data, n, inputs, units, kernels); break;             // A·W
            case (true, false): Gemm.Multiply<T>(W.Data, A.Data, Z.Data, units, inputs, n, kernels); break;             // W·A
            case (true, true): Gemm.MultiplyTransposedA<T>(W.Data, A.Data, Z.Data, units, inputs, n, kernels); break;   // Wᵀ·A
        }

        if (layout.SamplesInColumns)
        {
            RowOps.AddToEveryColumn<T>(Z.Data, b, units, n, kernels);
        }
        else
        {
            RowOps.AddToEveryRow<T>(Z.Data, b, n, units, kernels);
        }
    }

    /// <summary>∂J/∂W, ∂J/∂b and (unless <paramref name="dA"/> is null) ∂J/∂A from ∂J/∂Z.</summary>
    public static void Backward<T>(Layout layout, Matrix<T> dZ, Matrix<T> A, Matrix<T> W, Matrix<T> dW, T[] db, Matrix<T>? dA, KernelOptions kernels)
        where T : IFloatingPointIeee754<T>
    {
        (int units, int inputs) = layout.WeightsInOut ? (W.Cols, W.Rows) : (W.Rows, W.Cols);
        int n = layout.SampleCount(A);
        switch (layout.SamplesInColumns, layout.WeightsInOut)
        {
            case (false, false):
                Gemm.MultiplyTransposedA<T>(dZ.Data, A.Data, dW.Data, units, n, inputs, kernels);                     // dZᵀ·A
                if (dA is not null) Gemm.Multiply<T>(dZ.Data, W.Data, dA.Data, n, units, inputs, kernels);            // dZ·W
                break;
            case (false, true):
                Gemm.MultiplyTransposedA<T>(A.Data, dZ.Data, dW.Data, inputs, n, units, kernels);                     // Aᵀ·dZ
                if (dA is not null) Gemm.MultiplyTransposedB<T>(dZ.Data, W.Data, dA.Data, n, units, inputs, kernels); // dZ·Wᵀ
                break;
            case (true, false):
                Gemm.MultiplyTransposedB<T>(dZ.Data, A.Data, dW.Data, units, n, inputs, kernels);                     // dZ·Aᵀ
                if (dA is not null) Gemm.MultiplyTransposedA<T>(W.Data, dZ.Data, dA.Data, inputs, units, n, kernels); // Wᵀ·dZ
                break;
            case (true, true):
                Gemm.MultiplyTransposedB<T>(A.Data, dZ.Data, dW.Data, inputs, n, units, kernels);                     // A·dZᵀ
                if (dA is not null) Gemm.Multiply<T>(W.Data, dZ.Data, dA.Data, inputs, units, n, kernels);            // W·dZ
                break;
        }

        if (layout.SamplesInColumns)
        {
            RowOps.RowSums<T>(dZ.Data, db, units, n);
        }
        else
        {
            RowOps.ColumnSums<T>(dZ.Data, db, n, units, kernels);
        }
    }
}
