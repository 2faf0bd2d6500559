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

    /// <summary>
    /// sums[j] = Σᵢ x[i, j] over the m rows, in <see cref="Summation"/>'s order: from row 0 down
    /// in blocks of 256 rows, the blocks' sums added pairwise.
    /// </summary>
    public static void ColumnSums<T>(ReadOnlySpan<T> x, Span<T> sums, int m, int n)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, sums.Length, m, n, "sums", perRow: false);
        int blocks = Summation.Blocks(m);
        Span<T> partial = blocks == 1 ? sums : Scratch<T>.Sums(PairwiseSpans.Length(blocks, n));
        for (int block = 0; block < blocks; block++)
        {
            Span<T> blockSums = partial[..n];
            blockSums.Clear();
            for (int i = block * Summation.BlockLength; i < Math.Min(m, (block + 1) * Summation.BlockLength); i++)
            {
                ReadOnlySpan<T> row = x.Slice(i * n, n);
                for (int j = 0; j < n; j++)
                {
                    blockSums[j] += row[j];
                }
            }

            if (blocks > 1)
            {
                PairwiseSpans.Carry<T, ScalarAdder<T>>(partial, n, block, last: block == blocks - 1);
            }
        }

        if (blocks > 1)
        {
            partial[..n].CopyTo(sums);
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

    /// <summary>sums[i] = Σⱼ x[i, j] over the n columns, in <see cref="Summation"/>'s order (from column 0 on, in blocks of 256).</summary>
    public static void RowSums<T>(ReadOnlySpan<T> x, Span<T> sums, int m, int n)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, sums.Length, m, n, "sums", perRow: true);
        for (int i = 0; i < m; i++)
        {
            sums[i] = Summation.Sum(x.Slice(i * n, n));
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
