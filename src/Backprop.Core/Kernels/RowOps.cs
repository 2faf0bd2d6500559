using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>
/// Row-broadcast and column-reduction kernels on row-major m×n spans. The vector paths add lane by
/// lane, each element the same addition as on the scalar path, so every path gives the same bits.
/// Thread-safe: it holds no state (column sums of more than 256 rows use per-thread scratch).
/// </summary>
public static class RowOps
{
    /// <summary>Adds the vector v (length n) to every row of the m×n matrix x, in place.</summary>
    public static void AddToEveryRow<T>(Span<T> x, ReadOnlySpan<T> v, int m, int n, KernelOptions options)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, v.Length, m, n, "v", perRow: false);
        SimdPath path = Gemm.Choose<T>(options);
        for (int i = 0; i < m; i++)
        {
            AddInto(x.Slice(i * n, n), v, path);
        }
    }

    /// <summary>
    /// sums[j] = Σᵢ x[i, j] over the m rows, in <see cref="Summation"/>'s order: from row 0 down
    /// in blocks of 256 rows, the blocks' sums added pairwise.
    /// </summary>
    public static void ColumnSums<T>(ReadOnlySpan<T> x, Span<T> sums, int m, int n, KernelOptions options)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, sums.Length, m, n, "sums", perRow: false);
        SimdPath path = Gemm.Choose<T>(options);
        int blocks = Summation.Blocks(m);
        Span<T> partial = blocks == 1 ? sums : Scratch<T>.Sums(PairwiseSpans.Length(blocks, n));
        for (int block = 0; block < blocks; block++)
        {
            Span<T> blockSums = partial[..n];
            blockSums.Clear();
            for (int i = block * Summation.BlockLength; i < Math.Min(m, (block + 1) * Summation.BlockLength); i++)
            {
                AddInto(blockSums, x.Slice(i * n, n), path);
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
    public static void AddToEveryColumn<T>(Span<T> x, ReadOnlySpan<T> v, int m, int n, KernelOptions options)
        where T : INumberBase<T>
    {
        CheckLengths(x.Length, v.Length, m, n, "v", perRow: true);
        SimdPath path = Gemm.Choose<T>(options);
        for (int i = 0; i < m; i++)
        {
            AddInto(x.Slice(i * n, n), v[i], path);
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

    /// <summary>into[j] = into[j] + addend[j].</summary>
    private static void AddInto<T>(Span<T> into, ReadOnlySpan<T> addend, SimdPath path)
        where T : INumberBase<T>
    {
        int j = path == SimdPath.Scalar ? 0
            : typeof(T) == typeof(float) ? Lanes<float>(Gemm.Cast<T, float>(into), Gemm.Cast<T, float>(addend), default, path)
            : typeof(T) == typeof(double) ? Lanes<double>(Gemm.Cast<T, double>(into), Gemm.Cast<T, double>(addend), default, path)
            : 0;
        for (; j < into.Length; j++)
        {
            into[j] += addend[j];
        }
    }

    /// <summary>into[j] = into[j] + addend.</summary>
    private static void AddInto<T>(Span<T> into, T addend, SimdPath path)
        where T : INumberBase<T>
    {
        int j = path == SimdPath.Scalar ? 0
            : typeof(T) == typeof(float) ? Lanes<float>(Gemm.Cast<T, float>(into), default, Unsafe.As<T, float>(ref addend), path)
            : typeof(T) == typeof(double) ? Lanes<double>(Gemm.Cast<T, double>(into), default, Unsafe.As<T, double>(ref addend), path)
            : 0;
        for (; j < into.Length; j++)
        {
            into[j] += addend;
        }
    }

    /// <summary>
    /// The vector part of <see cref="AddInto{T}(Span{T}, ReadOnlySpan{T}, SimdPath)"/>: adds
    /// <paramref name="addends"/> lane by lane, or <paramref name="addend"/> to every lane when
    /// <paramref name="addends"/> is empty. Returns where the scalar tail starts.
    /// </summary>
    private static int Lanes<T>(Span<T> into, ReadOnlySpan<T> addends, T addend, SimdPath path)
        where T : unmanaged
        => path == SimdPath.Vector512
            ? Lanes<Vector512<T>, Vector512Ops<T>, T>(into, addends, addend)
            : Lanes<Vector256<T>, Vector256Ops<T>, T>(into, addends, addend);

    private static int Lanes<TVector, TOps, T>(Span<T> into, ReadOnlySpan<T> addends, T addend)
        where TVector : unmanaged
        where TOps : struct, IVectorOps<TVector, T>
        where T : unmanaged
    {
        ref T to = ref MemoryMarshal.GetReference(into);
        ref T from = ref MemoryMarshal.GetReference(addends);
        int j = 0;
        if (!addends.IsEmpty)
        {
            for (; j + TOps.Count <= into.Length; j += TOps.Count)
            {
                TOps.Store(TOps.Add(TOps.Load(ref to, (nuint)j), TOps.Load(ref from, (nuint)j)), ref to, (nuint)j);
            }

            return j;
        }

        TVector broadcast = TOps.Broadcast(addend);
        for (; j + TOps.Count <= into.Length; j += TOps.Count)
        {
            TOps.Store(TOps.Add(TOps.Load(ref to, (nuint)j), broadcast), ref to, (nuint)j);
        }

        return j;
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
