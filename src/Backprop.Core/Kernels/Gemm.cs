using System.Numerics;

namespace Backprop.Core.Kernels;

/// <summary>
/// Matrix products on row-major spans, in the three forms backprop needs. Each sums over k in
/// ascending order with a separate multiply and add (no fused multiply-add), so results are
/// reproducible on every machine; libtorch's BLAS sums in its own order, which the dtype
/// tolerance covers.
/// </summary>
public static class Gemm
{
    /// <summary>C = A·B, with A m×k, B k×n, C m×n.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : INumberBase<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        Strided(a, k, 1, b, n, 1, c, m, k, n);
    }

    /// <summary>C = A·Bᵀ, with A m×k, B n×k, C m×n.</summary>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : INumberBase<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        Strided(a, k, 1, b, 1, k, c, m, k, n);
    }

    /// <summary>C = Aᵀ·B, with A k×m, B k×n, C m×n.</summary>
    public static void MultiplyTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : INumberBase<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        Strided(a, 1, m, b, n, 1, c, m, k, n);
    }

    /// <summary>
    /// C[i, j] = Σₚ A(i, p)·B(p, j), p ascending, where A(i, p) = a[i·aRow + p·aCol] and
    /// B(p, j) = b[p·bRow + j·bCol]: the strides say which operand is read transposed.
    /// </summary>
    private static void Strided<T>(
        ReadOnlySpan<T> a, int aRow, int aCol, ReadOnlySpan<T> b, int bRow, int bCol, Span<T> c, int m, int k, int n)
        where T : INumberBase<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    sum += a[(i * aRow) + (p * aCol)] * b[(p * bRow) + (j * bCol)];
                }

                c[(i * n) + j] = sum;
            }
        }
    }

    private static void CheckLengths(int aLength, int bLength, int cLength, int m, int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if ((long)m * k != aLength)
        {
            throw new ArgumentException($"A must hold m·k = {m}·{k} = {(long)m * k} elements, but holds {aLength}", "a");
        }

        if ((long)k * n != bLength)
        {
            throw new ArgumentException($"B must hold k·n = {k}·{n} = {(long)k * n} elements, but holds {bLength}", "b");
        }

        if ((long)m * n != cLength)
        {
            throw new ArgumentException($"C must hold m·n = {m}·{n} = {(long)m * n} elements, but holds {cLength}", "c");
        }
    }
}
