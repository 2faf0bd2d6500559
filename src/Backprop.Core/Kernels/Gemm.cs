using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>
/// Matrix products on row-major spans, in the three forms backprop needs. Every element is the
/// same sum on every path, thread count and layout:
/// <list type="bullet">
/// <item>an inner dimension k of at most <see cref="ShortProduct"/> (4): C[i, j] = Σₚ A(i, p)·B(p, j)
/// over p ascending from 0, each product rounded and then added, as libtorch sums such short
/// products (measured: on the AMD EPYC it does so for every product with fewer than 4 rows or 16
/// columns, so the worked example keeps matching it bit for bit);</item>
/// <item>longer: one chain of fused multiply-adds (one rounding per term) over each block of
/// <see cref="Summation.BlockLength"/> terms, p ascending, and the block sums added pairwise
/// (<see cref="Summation"/>). A product of k ≤ 256 is a single chain.</item>
/// </list>
/// Fused multiply-adds run at twice the speed of separate multiplies and adds where they share
/// ports (Intel), and the blocks keep long float32 sums accurate; libtorch's BLAS sums in its own
/// order, which the dtype tolerance covers. The vector paths keep the order by vectorising
/// across j, never across p: a register tile of C (eight rows by two vectors at 512 bits, four at
/// 256) takes one term per p for every element.
/// <para>
/// This file holds the routes (which operand is read transposed, and which product runs as Cᵀ)
/// and the scalar path; the vector tiles, the packing of B and the split among threads are in
/// the other Gemm.*.cs. How a product runs (threads, path) is the caller's <see cref="KernelOptions"/>.
/// </para>
/// <para>
/// Thread-safe: products may run on any number of threads at once, each packing into its own
/// per-thread scratch; a split product that finds the helper threads busy runs on its caller alone
/// (the same bits). The caller must not write A, B or C while a product runs.
/// </para>
/// </summary>
public static partial class Gemm
{
    /// <summary>The longest inner dimension whose products are added unfused.</summary>
    public const int ShortProduct = 4;

    /// <summary>Rows in the widest register tile; row blocks for threads are whole tiles.</summary>
    private const int TileRows = 8;

    /// <summary>The fastest path this machine has for <typeparamref name="T"/>.</summary>
    public static SimdPath Best<T>() => typeof(T) != typeof(float) && typeof(T) != typeof(double)
        ? SimdPath.Scalar
        : Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : SimdPath.Scalar;

    /// <summary>Every path this machine can run for <typeparamref name="T"/>, for tests that compare them.</summary>
    public static IReadOnlyList<SimdPath> Supported<T>() => Enum.GetValues<SimdPath>().Where(p => p <= Best<T>()).ToArray();

    /// <summary>C = A·B, with A m×k, B k×n, C m×n.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, KernelOptions options)
        where T : IFloatingPointIeee754<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        Product(a, new(k, 1), b, new(n, 1), c, new(n, 1), m, k, n, Choose<T>(options), options);
    }

    /// <summary>C = A·Bᵀ, with A m×k, B n×k, C m×n.</summary>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, KernelOptions options)
        where T : IFloatingPointIeee754<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        SimdPath chosen = Choose<T>(options);

        // The vector paths copy their right operand's column panels into contiguous memory, and
        // here that operand is read across its rows: a transposing copy. Either Bᵀ's panels are
        // copied (k·n elements), or Aᵀ's, computing Cᵀ = B·Aᵀ and writing each element of it
        // straight to its place in C (k·m copied, m·n single stores), whichever moves less; but a
        // product only n columns wide (a 10-class output layer) goes through Cᵀ, m wide, so that
        // the vectors have columns to work on. Each element is the same sum either way, as IEEE
        // products commute.
        bool viaCt = chosen != SimdPath.Scalar && n < PanelWidth<T>(chosen) && m > n
            || ((long)k * m) + ((long)m * n) < (long)k * n;
        if (viaCt)
        {
            Product(b, new(k, 1), a, new(1, k), c, new(1, n), n, k, m, chosen, options);
        }
        else
        {
            Product(a, new(k, 1), b, new(1, k), c, new(n, 1), m, k, n, chosen, options);
        }
    }

    /// <summary>C = Aᵀ·B, with A k×m, B k×n, C m×n.</summary>
    public static void MultiplyTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, KernelOptions options)
        where T : IFloatingPointIeee754<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        Product(a, new(1, m), b, new(n, 1), c, new(n, 1), m, k, n, Choose<T>(options), options);
    }

    /// <summary>The options' path, or the best one; refuses a path this machine lacks for <typeparamref name="T"/>.</summary>
    internal static SimdPath Choose<T>(KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SimdPath best = Best<T>();
        if (options.Path > best)
        {
            throw new NotSupportedException($"the {options.Path} path is not available here for {typeof(T).Name}; the best is {best}");
        }

        return options.Path ?? best;
    }

    /// <summary>
    /// C = A·B for A m×k, B k×n and C m×n, each read or written through its <see cref="Stride"/>:
    /// the strides say which of them is stored transposed. The entry points checked the lengths.
    /// A large product on the vector paths is split into one block of C's rows per thread (see
    /// <see cref="KernelOptions.Threads"/>).
    /// </summary>
    private static void Product<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, SimdPath path, KernelOptions options)
        where T : IFloatingPointIeee754<T>
    {
        bool large = (long)m * k * n >= options.ParallelThreshold || Math.Max((long)m * k, (long)m * n) >= SplitRowsFrom;
        int blocks = options.Threads > 1 && large ? Math.Min(options.Threads, m / TileRows) : 1;
        bool parallel = blocks > 1 && path != SimdPath.Scalar && (
            typeof(T) == typeof(float) ? InBlocks(Cast<T, float>(a), sa, Cast<T, float>(b), sb, Cast<T, float>(c), sc, m, k, n, path, blocks)
            : typeof(T) == typeof(double) && InBlocks(Cast<T, double>(a), sa, Cast<T, double>(b), sb, Cast<T, double>(c), sc, m, k, n, path, blocks));
        if (!parallel)
        {
            Rows(a, sa, b, sb, c, sc, 0, m, k, n, path);
        }
    }

    /// <summary>Rows [<paramref name="i0"/>, <paramref name="i1"/>) of C, every column.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own: inlined into a caller (a block job) it ran four times slower
    private static void Rows<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n, SimdPath path)
        where T : IFloatingPointIeee754<T>
    {
        int done = 0;
        if (path != SimdPath.Scalar && typeof(T) == typeof(float))
        {
            done = Vectorised(Cast<T, float>(a), sa, Cast<T, float>(b), sb, Cast<T, float>(c), sc, i0, i1, k, n, path);
        }
        else if (path != SimdPath.Scalar && typeof(T) == typeof(double))
        {
            done = Vectorised(Cast<T, double>(a), sa, Cast<T, double>(b), sb, Cast<T, double>(c), sc, i0, i1, k, n, path);
        }

        // Columns the vectors did not cover (all of them on the scalar path).
        for (int i = i0; i < i1; i++)
        {
            for (int j = done; j < n; j++)
            {
                c[sc.Of(i, j)] = k <= ShortProduct ? ShortSum(a, sa, b, sb, i, j, k) : k <= Summation.BlockLength ? Chain(a, sa, b, sb, i, j, 0, k) : BlockedSum(a, sa, b, sb, i, j, k);
            }
        }
    }

    /// <summary>Σₚ A(i, p)·B(p, j), each product rounded and then added, p ascending from 0.</summary>
    private static T ShortSum<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, int i, int j, int k)
        where T : IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int p = 0; p < k; p++)
        {
            sum += a[sa.Of(i, p)] * b[sb.Of(p, j)];
        }

        return sum;
    }

    /// <summary>Σₚ A(i, p)·B(p, j) over p in [<paramref name="p0"/>, <paramref name="p1"/>): one chain of fused multiply-adds from zero.</summary>
    private static T Chain<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, int i, int j, int p0, int p1)
        where T : IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int p = p0; p < p1; p++)
        {
            sum = T.FusedMultiplyAdd(a[sa.Of(i, p)], b[sb.Of(p, j)], sum);
        }

        return sum;
    }

    /// <summary>A sum of several blocks: each block's chain, then the block sums pairwise.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the levels off the common path's stack
    private static T BlockedSum<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, int i, int j, int k)
        where T : IFloatingPointIeee754<T>
    {
        var sums = default(PairwiseSums<T>);
        for (int p0 = 0; p0 < k; p0 += Summation.BlockLength)
        {
            sums.Add(Chain(a, sa, b, sb, i, j, p0, Math.Min(k, p0 + Summation.BlockLength)));
        }

        return sums.Total();
    }

    /// <summary>The same memory as a span of <typeparamref name="TOut"/>, for code that has checked <typeparamref name="TIn"/> is that type.</summary>
    internal static Span<TOut> Cast<TIn, TOut>(ReadOnlySpan<TIn> span)
        => MemoryMarshal.CreateSpan(ref Unsafe.As<TIn, TOut>(ref MemoryMarshal.GetReference(span)), span.Length);

    /// <summary>Where a matrix's element (row, col) lies in its span: row·Row + col·Col.</summary>
    private readonly record struct Stride(int Row, int Col)
    {
        public int Of(int row, int col) => (row * Row) + (col * Col);
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
