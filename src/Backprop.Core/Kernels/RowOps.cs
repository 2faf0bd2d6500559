using System.Numerics;

namespace Backprop.Core.Kernels;

/// <summary>Row-broadcast and column-reduction kernels on row-major m×n spans.</summary>
public static class RowOps
{
    /// <summary>Adds the vector v (length n) to every row of the m×n matrix x, in place.</summary>
    public static void AddToEveryRow<T>(Span<T> x, ReadOnlySpan<T> v, int m, int n)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, v.Length, m, n, "v", perRow: false);
        for (int i = 0; i < m; i++)
        {
            Span<T> row = x.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                row[j] += v[j];
            }
        }
    }

    /// <summary>sums[j] = Σᵢ x[i, j] over the m rows, summed from row 0 down.</summary>
    public static void ColumnSums<T>(ReadOnlySpan<T> x, Span<T> sums, int m, int n)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, sums.Length, m, n, "sums", perRow: false);
        sums.Clear();
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<T> row = x.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                sums[j] += row[j];
            }
        }
    }

    /// <summary>Adds v[i] (length m) to every element of row i of the m×n matrix x, in place.</summary>
    public static void AddToEveryColumn<T>(Span<T> x, ReadOnlySpan<T> v, int m, int n)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, v.Length, m, n, "v", perRow: true);
        for (int i = 0; i < m; i++)
        {
            Span<T> row = x.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                row[j] += v[i];
            }
        }
    }

    /// <summary>sums[i] = Σⱼ x[i, j] over the n columns, summed from column 0 on.</summary>
    public static void RowSums<T>(ReadOnlySpan<T> x, Span<T> sums, int m, int n)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, sums.Length, m, n, "sums", perRow: true);
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<T> row = x.Slice(i * n, n);
            T sum = T.Zero;
            for (int j = 0; j < n; j++)
            {
                sum += row[j];
            }

            sums[i] = sum;
        }
    }

    /// <summary>The matrix must hold m·n elements; the vector one per column (n), or one per row (m) when <paramref name="perRow"/>.</summary>
    private static void CheckLengths(int matrixLength, int vectorLength, int m, int n, string vectorName, bool perRow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if ((long)m * n != matrixLength)
        {
            throw new ArgumentException($"the matrix must hold m·n = {m}·{n} = {(long)m * n} elements, but holds {matrixLength}", "x");
        }

        if (vectorLength != (perRow ? m : n))
        {
            throw new ArgumentException(
                perRow ? $"{vectorName} must hold m = {m} elements, one per row, but holds {vectorLength}" : $"{vectorName} must hold n = {n} elements, but holds {vectorLength}",
                vectorName);
        }
    }
}
