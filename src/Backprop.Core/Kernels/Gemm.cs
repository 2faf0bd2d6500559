using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Core.Kernels;

/// <summary>How a kernel computes: plain scalar loops, or 256- or 512-bit vectors.</summary>
public enum SimdPath
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>
/// Matrix products on row-major spans, in the three forms backprop needs. Every element is the
/// same sum on every path: C[i, j] = Σₚ A(i, p)·B(p, j) over p ascending from 0, each product
/// rounded and then added (no fused multiply-add), so results are reproducible on every machine
/// and the four layouts agree bitwise; libtorch's BLAS sums in its own order, which the dtype
/// tolerance covers. The vector paths keep that order by vectorising across j, never across p:
/// a register tile of C (four rows by two vectors) takes one product per p for every element.
/// </summary>
public static class Gemm
{
    private const int TileRows = 4;

    private static int threads = 1;

    /// <summary>
    /// How many threads the kernels may use (default 1). A large product on the vector paths is
    /// split into one block of C's rows per thread, and a long update in <see cref="Fused"/> into
    /// as many parts; each element is still the same sum or operation, so the results do not
    /// depend on the thread count, bit for bit. A product stays on the calling thread if it has
    /// fewer than <see cref="ParallelThreshold"/> multiply-adds and neither A nor C has 2¹⁶
    /// elements (see <see cref="SplitRowsFrom"/>).
    /// </summary>
    public static int Threads
    {
        get => threads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Threads));
            threads = value;
        }
    }

    /// <summary>m·k·n below which splitting across threads costs more than it saves (measured; see the README).</summary>
    public static long ParallelThreshold
    {
        get => parallelThreshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(ParallelThreshold));
            parallelThreshold = value;
        }
    }

    /// <summary>
    /// 2²² multiply-adds, measured here in whole training steps (see the README): at 2²¹ two
    /// threads saved nothing, at 2²² a little, and at 64×784·784×256 (2²³·⁶) 1.7 times.
    /// </summary>
    private static long parallelThreshold = 1L << 22;

    /// <summary>
    /// A matrix of this many elements or more is split by rows among the threads whenever a
    /// kernel reads or writes it whole by rows, whatever the product's size: A or C in a product,
    /// and y in <see cref="Fused.MultiplyAdd{T}(T, ReadOnlySpan{T}, Span{T}, SimdPath?)"/>. Every kernel splits it the same way, so the rows of a
    /// weight matrix that thread t computes in the forward product, writes as a gradient and
    /// updates stay in thread t's cache; moving 200k floats between the two cores here costs
    /// about 100 µs, more than the second core saves.
    /// </summary>
    internal const int SplitRowsFrom = 1 << 16;

    /// <summary>The fastest path this machine has for <typeparamref name="T"/>.</summary>
    public static SimdPath Best<T>() => typeof(T) != typeof(float) && typeof(T) != typeof(double)
        ? SimdPath.Scalar
        : Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : SimdPath.Scalar;

    /// <summary>Every path this machine can run for <typeparamref name="T"/>, for tests that compare them.</summary>
    public static IReadOnlyList<SimdPath> Supported<T>() => Enum.GetValues<SimdPath>().Where(p => p <= Best<T>()).ToArray();

    /// <summary>C = A·B, with A m×k, B k×n, C m×n.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, SimdPath? path = null)
        where T : INumberBase<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        Product(a, new(k, 1), b, new(n, 1), c, new(n, 1), m, k, n, Choose<T>(path));
    }

    /// <summary>C = A·Bᵀ, with A m×k, B n×k, C m×n.</summary>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, SimdPath? path = null)
        where T : INumberBase<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        SimdPath chosen = Choose<T>(path);

        // The vector paths copy their right operand's column panels into contiguous memory, and
        // here that operand is read across its rows: a transposing copy. Either Bᵀ's panels are
        // copied (k·n elements), or Aᵀ's, computing Cᵀ = B·Aᵀ and writing each element of it
        // straight to its place in C (k·m copied, m·n single stores), whichever moves less; but a
        // product only n columns wide (a 10-class output layer) goes through Cᵀ, m wide, so that
        // the vectors have columns to work on. Each element is the same sum either way, as IEEE
        // products commute.
        bool viaCt = chosen != SimdPath.Scalar && n < PanelWidth<T>(chosen == SimdPath.Vector512) && m > n
            || ((long)k * m) + ((long)m * n) < (long)k * n;
        if (viaCt)
        {
            Product(b, new(k, 1), a, new(1, k), c, new(1, n), n, k, m, chosen);
        }
        else
        {
            Product(a, new(k, 1), b, new(1, k), c, new(n, 1), m, k, n, chosen);
        }
    }

    /// <summary>C = Aᵀ·B, with A k×m, B k×n, C m×n.</summary>
    public static void MultiplyTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, SimdPath? path = null)
        where T : INumberBase<T>
    {
        CheckLengths(a.Length, b.Length, c.Length, m, k, n);
        Product(a, new(1, m), b, new(n, 1), c, new(n, 1), m, k, n, Choose<T>(path));
    }

    private static SimdPath Choose<T>(SimdPath? path)
    {
        SimdPath best = Best<T>();
        if (path > best)
        {
            throw new NotSupportedException($"the {path} path is not available here for {typeof(T).Name}; the best is {best}");
        }

        return path ?? best;
    }

    /// <summary>
    /// C = A·B for A m×k, B k×n and C m×n, each read or written through its <see cref="Stride"/>:
    /// the strides say which of them is stored transposed. The entry points checked the lengths.
    /// A large product on the vector paths is split into one block of C's rows per thread (see
    /// <see cref="Threads"/>).
    /// </summary>
    private static void Product<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, SimdPath path)
        where T : INumberBase<T>
    {
        bool large = (long)m * k * n >= ParallelThreshold || Math.Max((long)m * k, (long)m * n) >= SplitRowsFrom;
        int blocks = Threads > 1 && large ? Math.Min(Threads, m / TileRows) : 1;
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
        where T : INumberBase<T>
    {
        int done = 0;
        if (path != SimdPath.Scalar && typeof(T) == typeof(float))
        {
            done = Vectorised(Cast<T, float>(a), sa, Cast<T, float>(b), sb, Cast<T, float>(c), sc, i0, i1, k, n, path == SimdPath.Vector512);
        }
        else if (path != SimdPath.Scalar && typeof(T) == typeof(double))
        {
            done = Vectorised(Cast<T, double>(a), sa, Cast<T, double>(b), sb, Cast<T, double>(c), sc, i0, i1, k, n, path == SimdPath.Vector512);
        }

        // Columns the vectors did not cover (all of them on the scalar path), four rows at a time
        // so that four sums are under way at once.
        int i = i0;
        for (; i + TileRows <= i1; i += TileRows)
        {
            for (int j = done; j < n; j++)
            {
                T sum0 = T.Zero, sum1 = T.Zero, sum2 = T.Zero, sum3 = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T bpj = b[sb.Of(p, j)];
                    sum0 += a[sa.Of(i, p)] * bpj;
                    sum1 += a[sa.Of(i + 1, p)] * bpj;
                    sum2 += a[sa.Of(i + 2, p)] * bpj;
                    sum3 += a[sa.Of(i + 3, p)] * bpj;
                }

                (c[sc.Of(i, j)], c[sc.Of(i + 1, j)], c[sc.Of(i + 2, j)], c[sc.Of(i + 3, j)]) = (sum0, sum1, sum2, sum3);
            }
        }

        for (; i < i1; i++)
        {
            for (int j = done; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    sum += a[sa.Of(i, p)] * b[sb.Of(p, j)];
                }

                c[sc.Of(i, j)] = sum;
            }
        }
    }

    /// <summary>The same memory as a span of <typeparamref name="TOut"/>, for code that has checked <typeparamref name="TIn"/> is that type.</summary>
    internal static Span<TOut> Cast<TIn, TOut>(ReadOnlySpan<TIn> span)
        => MemoryMarshal.CreateSpan(ref Unsafe.As<TIn, TOut>(ref MemoryMarshal.GetReference(span)), span.Length);

    /// <summary>
    /// Runs the product as <paramref name="blocks"/> blocks of C's rows on as many threads (see
    /// <see cref="BlockWorkers"/>); false, having computed nothing, if the helpers are busy.
    /// </summary>
    private static unsafe bool InBlocks<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, SimdPath path, int blocks)
        where T : unmanaged, INumberBase<T>
    {
        fixed (T* pa = a, pb = b, pc = c)
        {
            // The spans stay pinned until every block is done: TryRun returns only then.
            return BlockWorkers.TryRun(new Job<T>(pa, sa, pb, sb, pc, sc, m, k, n, path, blocks, a.Length, b.Length, c.Length), blocks, blocks);
        }
    }

    /// <summary>
    /// Where row block <paramref name="block"/> of <paramref name="blocks"/> starts: equal shares
    /// of m, rounded down to whole tiles. The optimizer's update splits a weight matrix the same
    /// way (see <see cref="Fused"/>), so a thread updates the rows it computed.
    /// </summary>
    private static int BlockStart(int m, int blocks, int block)
        => block == blocks ? m : (int)((long)m * block / blocks) / TileRows * TileRows;

    /// <summary>A product in pinned memory; <see cref="RunBlock"/> computes one block of C's rows.</summary>
    private readonly unsafe struct Job<T>(T* a, Stride sa, T* b, Stride sb, T* c, Stride sc, int m, int k, int n, SimdPath path, int blocks, int aLength, int bLength, int cLength) : IBlockJob
        where T : unmanaged, INumberBase<T>
    {
        public void RunBlock(int block)
            => Rows(new ReadOnlySpan<T>(a, aLength), sa, new ReadOnlySpan<T>(b, bLength), sb, new Span<T>(c, cLength), sc, BlockStart(m, blocks, block), BlockStart(m, blocks, block + 1), k, n, path);
    }

    /// <summary>
    /// Fills rows [<paramref name="i0"/>, <paramref name="i1"/>) of C's columns [0, returned) with
    /// vectors, a wide panel (two vectors) at a time, then single vectors; the caller does the rest.
    /// </summary>
    private static int Vectorised<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n, bool wide)
        where T : unmanaged, INumberBase<T>
    {
        int panelWidth = PanelWidth<T>(wide);
        Span<T> pack = Scratch<T>.Panel(k * panelWidth);
        int j = 0;
        for (; j + panelWidth <= n; j += panelWidth)
        {
            WidePanel(a, sa, b, sb, c, sc, i0, i1, k, j, pack, wide);
        }

        return wide ? NarrowPanels512(a, sa, b, sb, c, sc, i0, i1, k, n, j, pack) : NarrowPanels256(a, sa, b, sb, c, sc, i0, i1, k, n, j, pack);
    }

    private static void WidePanel<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int j, Span<T> pack, bool wide)
        where T : unmanaged, INumberBase<T>
    {
        if (wide)
        {
            WidePanel512(a, sa, b, sb, c, sc, i0, i1, k, j, pack);
        }
        else
        {
            WidePanel256(a, sa, b, sb, c, sc, i0, i1, k, j, pack);
        }
    }

    /// <summary>Columns in one wide panel: two vectors of 512 or 256 bits.</summary>
    private static int PanelWidth<T>(bool wide) => 2 * (wide ? 64 : 32) / Unsafe.SizeOf<T>();

    /// <summary>
    /// Copies B's columns [j, j + width) into <paramref name="pack"/>, row p at p·width. B is
    /// either stored by rows (sb.Col = 1), whose rows are far apart (n elements, and with n a power
    /// of two, 256 here, a panel read in place crowds a few cache sets), or stored transposed, by
    /// columns (sb.Row = 1: the A·Bᵀ routes), which only gathers can read across. Only the vector
    /// paths pack, and on x64 they need AVX2, which has the gathers.
    /// </summary>
    private static void Pack<T>(ReadOnlySpan<T> b, Stride sb, int k, int j, int width, Span<T> pack)
        where T : unmanaged
    {
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        if (sb.Col == 1)
        {
            // Row by row, 256 bits at a time: a panel's width is one or two vectors of at least that.
            int bytes = width * Unsafe.SizeOf<T>();
            for (int p = 0; p < k; p++)
            {
                ref byte from = ref Unsafe.As<T, byte>(ref Unsafe.Add(ref rb, sb.Of(p, j)));
                ref byte to = ref Unsafe.As<T, byte>(ref Unsafe.Add(ref rp, p * width));
                for (int offset = 0; offset < bytes; offset += Vector256<byte>.Count)
                {
                    Vector256.LoadUnsafe(ref from, (nuint)offset).StoreUnsafe(ref to, (nuint)offset);
                }
            }
        }
        else if (typeof(T) == typeof(float))
        {
            Gather(Cast<T, float>(b), sb.Col, k, j, width, Cast<T, float>(pack));
        }
        else
        {
            Gather(Cast<T, double>(b), sb.Col, k, j, width, Cast<T, double>(pack));
        }
    }

    /// <summary>
    /// A transposed panel by 256-bit gathers, for B stored by columns (B(p, j) = b[p + j·step]):
    /// pack row p, columns q … q + 7, comes from element p of 8 columns in one instruction.
    /// </summary>
    private static unsafe void Gather(ReadOnlySpan<float> b, int step, int k, int j, int width, Span<float> pack)
    {
        Vector256<int> columns = Vector256<int>.Indices * step;
        fixed (float* pb = b, pp = pack)
        {
            for (int q = 0; q < width; q += Vector256<float>.Count)
            {
                float* first = pb + ((j + q) * step);
                for (int p = 0; p < k; p++)
                {
                    Avx2.GatherVector256(first + p, columns, sizeof(float)).Store(pp + (p * width) + q);
                }
            }
        }
    }

    /// <summary>The same for double: 4 columns per gather.</summary>
    private static unsafe void Gather(ReadOnlySpan<double> b, int step, int k, int j, int width, Span<double> pack)
    {
        Vector128<int> columns = Vector128<int>.Indices * step;
        fixed (double* pb = b, pp = pack)
        {
            for (int q = 0; q < width; q += Vector256<double>.Count)
            {
                double* first = pb + ((j + q) * step);
                for (int p = 0; p < k; p++)
                {
                    Avx2.GatherVector256(first + p, columns, sizeof(double)).Store(pp + (p * width) + q);
                }
            }
        }
    }

    /// <summary>Where a matrix's element (row, col) lies in its span: row·Row + col·Col.</summary>
    private readonly record struct Stride(int Row, int Col)
    {
        public int Of(int row, int col) => (row * Row) + (col * Col);
    }

    // The panel routines are the same code at two widths: Vector512 and Vector256 share no
    // interface to write it once over. Lengths were checked by the public entry points, so the
    // unchecked accesses below stay inside a, b and c: i0 ≤ i < i1 ≤ m, p < k, j + width ≤ n.

    /// <summary>
    /// C's columns [j, j + 2w) for every row, w the lanes of a 512-bit vector: the panel of B is
    /// packed (k·2w), then every four-row tile reads it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own: inlined into a caller (a block job) it ran four times slower
    private static void WidePanel512<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int j, Span<T> pack)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector512<T>.Count, aRow = sa.Row, aCol = sa.Col;
        Pack(b, sb, k, j, 2 * w, pack);
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        int i = i0;
        for (; i + TileRows <= i1; i += TileRows)
        {
            Vector512<T> c00 = Vector512<T>.Zero, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            ref T row = ref rp;
            ref T ap = ref Unsafe.Add(ref ra, sa.Of(i, 0));
            for (int p = 0; p < k; p++)
            {
                Vector512<T> b0 = Vector512.LoadUnsafe(ref row), b1 = Vector512.LoadUnsafe(ref row, (nuint)w);
                Vector512<T> a0 = Vector512.Create(ap);
                Vector512<T> a1 = Vector512.Create(Unsafe.Add(ref ap, aRow));
                Vector512<T> a2 = Vector512.Create(Unsafe.Add(ref ap, 2 * aRow));
                Vector512<T> a3 = Vector512.Create(Unsafe.Add(ref ap, 3 * aRow));
                c00 += a0 * b0; c01 += a0 * b1;
                c10 += a1 * b0; c11 += a1 * b1;
                c20 += a2 * b0; c21 += a2 * b1;
                c30 += a3 * b0; c31 += a3 * b1;
                row = ref Unsafe.Add(ref row, 2 * w);
                ap = ref Unsafe.Add(ref ap, aCol);
            }

            ref T out0 = ref Unsafe.Add(ref rc, sc.Of(i, j));
            int cRow = sc.Row, cCol = sc.Col;
            if (cCol == 1)
            {
                c00.StoreUnsafe(ref out0); c01.StoreUnsafe(ref out0, (nuint)w);
                c10.StoreUnsafe(ref out0, (nuint)cRow); c11.StoreUnsafe(ref out0, (nuint)(cRow + w));
                c20.StoreUnsafe(ref out0, (nuint)(2 * cRow)); c21.StoreUnsafe(ref out0, (nuint)((2 * cRow) + w));
                c30.StoreUnsafe(ref out0, (nuint)(3 * cRow)); c31.StoreUnsafe(ref out0, (nuint)((3 * cRow) + w));
            }
            else
            {
                Scatter(c00, ref out0, cCol); Scatter(c01, ref Unsafe.Add(ref out0, w * cCol), cCol);
                Scatter(c10, ref Unsafe.Add(ref out0, cRow), cCol); Scatter(c11, ref Unsafe.Add(ref out0, cRow + (w * cCol)), cCol);
                Scatter(c20, ref Unsafe.Add(ref out0, 2 * cRow), cCol); Scatter(c21, ref Unsafe.Add(ref out0, (2 * cRow) + (w * cCol)), cCol);
                Scatter(c30, ref Unsafe.Add(ref out0, 3 * cRow), cCol); Scatter(c31, ref Unsafe.Add(ref out0, (3 * cRow) + (w * cCol)), cCol);
            }
        }

        for (; i < i1; i++)
        {
            Vector512<T> c0 = Vector512<T>.Zero, c1 = c0;
            for (int p = 0; p < k; p++)
            {
                ref T row = ref Unsafe.Add(ref rp, p * 2 * w);
                Vector512<T> ai = Vector512.Create(Unsafe.Add(ref ra, sa.Of(i, p)));
                c0 += ai * Vector512.LoadUnsafe(ref row);
                c1 += ai * Vector512.LoadUnsafe(ref row, (nuint)w);
            }

            Write(c0, ref Unsafe.Add(ref rc, sc.Of(i, j)), sc.Col);
            Write(c1, ref Unsafe.Add(ref rc, sc.Of(i, j + w)), sc.Col);
        }
    }

    /// <summary>Single-vector panels from <paramref name="j"/> on, in tiles of four rows; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own: inlined into a caller (a block job) it ran four times slower
    private static int NarrowPanels512<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n, int j, Span<T> pack)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector512<T>.Count, aRow = sa.Row, aCol = sa.Col;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        for (; j + w <= n; j += w)
        {
            Pack(b, sb, k, j, w, pack);
            int i = i0;
            for (; i + TileRows <= i1; i += TileRows)
            {
                Vector512<T> c0 = Vector512<T>.Zero, c1 = c0, c2 = c0, c3 = c0;
                ref T row = ref rp;
                ref T ap = ref Unsafe.Add(ref ra, sa.Of(i, 0));
                for (int p = 0; p < k; p++)
                {
                    Vector512<T> bp = Vector512.LoadUnsafe(ref row);
                    c0 += Vector512.Create(ap) * bp;
                    c1 += Vector512.Create(Unsafe.Add(ref ap, aRow)) * bp;
                    c2 += Vector512.Create(Unsafe.Add(ref ap, 2 * aRow)) * bp;
                    c3 += Vector512.Create(Unsafe.Add(ref ap, 3 * aRow)) * bp;
                    row = ref Unsafe.Add(ref row, w);
                    ap = ref Unsafe.Add(ref ap, aCol);
                }

                Write(c0, ref Unsafe.Add(ref rc, sc.Of(i, j)), sc.Col);
                Write(c1, ref Unsafe.Add(ref rc, sc.Of(i + 1, j)), sc.Col);
                Write(c2, ref Unsafe.Add(ref rc, sc.Of(i + 2, j)), sc.Col);
                Write(c3, ref Unsafe.Add(ref rc, sc.Of(i + 3, j)), sc.Col);
            }

            for (; i < i1; i++)
            {
                Vector512<T> c0 = Vector512<T>.Zero;
                for (int p = 0; p < k; p++)
                {
                    c0 += Vector512.Create(Unsafe.Add(ref ra, sa.Of(i, p))) * Vector512.LoadUnsafe(ref rp, (nuint)(p * w));
                }

                Write(c0, ref Unsafe.Add(ref rc, sc.Of(i, j)), sc.Col);
            }
        }

        return j;
    }

    /// <summary>
    /// Writes a vector's lanes (a <c>Vector512&lt;T&gt;</c> or <c>Vector256&lt;T&gt;</c>)
    /// <paramref name="step"/> elements apart: one store if they are adjacent, else one store each.
    /// </summary>
    private static void Write<TVector, T>(TVector v, ref T at, int step)
        where TVector : struct
    {
        if (step == 1)
        {
            Unsafe.WriteUnaligned(ref Unsafe.As<T, byte>(ref at), v);
        }
        else
        {
            Scatter(v, ref at, step);
        }
    }

    /// <summary>Writes a vector's lanes <paramref name="step"/> elements apart, one store each.</summary>
    private static void Scatter<TVector, T>(TVector v, ref T at, int step)
        where TVector : struct
    {
        ref T lanes = ref Unsafe.As<TVector, T>(ref v);
        for (int q = 0; q < Unsafe.SizeOf<TVector>() / Unsafe.SizeOf<T>(); q++)
        {
            Unsafe.Add(ref at, q * step) = Unsafe.Add(ref lanes, q);
        }
    }

    /// <summary>
    /// C's columns [j, j + 2w) for every row, w the lanes of a 256-bit vector: the panel of B is
    /// packed (k·2w), then every four-row tile reads it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own: inlined into a caller (a block job) it ran four times slower
    private static void WidePanel256<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int j, Span<T> pack)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector256<T>.Count, aRow = sa.Row, aCol = sa.Col;
        Pack(b, sb, k, j, 2 * w, pack);
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        int i = i0;
        for (; i + TileRows <= i1; i += TileRows)
        {
            Vector256<T> c00 = Vector256<T>.Zero, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            ref T row = ref rp;
            ref T ap = ref Unsafe.Add(ref ra, sa.Of(i, 0));
            for (int p = 0; p < k; p++)
            {
                Vector256<T> b0 = Vector256.LoadUnsafe(ref row), b1 = Vector256.LoadUnsafe(ref row, (nuint)w);
                Vector256<T> a0 = Vector256.Create(ap);
                Vector256<T> a1 = Vector256.Create(Unsafe.Add(ref ap, aRow));
                Vector256<T> a2 = Vector256.Create(Unsafe.Add(ref ap, 2 * aRow));
                Vector256<T> a3 = Vector256.Create(Unsafe.Add(ref ap, 3 * aRow));
                c00 += a0 * b0; c01 += a0 * b1;
                c10 += a1 * b0; c11 += a1 * b1;
                c20 += a2 * b0; c21 += a2 * b1;
                c30 += a3 * b0; c31 += a3 * b1;
                row = ref Unsafe.Add(ref row, 2 * w);
                ap = ref Unsafe.Add(ref ap, aCol);
            }

            ref T out0 = ref Unsafe.Add(ref rc, sc.Of(i, j));
            int cRow = sc.Row, cCol = sc.Col;
            if (cCol == 1)
            {
                c00.StoreUnsafe(ref out0); c01.StoreUnsafe(ref out0, (nuint)w);
                c10.StoreUnsafe(ref out0, (nuint)cRow); c11.StoreUnsafe(ref out0, (nuint)(cRow + w));
                c20.StoreUnsafe(ref out0, (nuint)(2 * cRow)); c21.StoreUnsafe(ref out0, (nuint)((2 * cRow) + w));
                c30.StoreUnsafe(ref out0, (nuint)(3 * cRow)); c31.StoreUnsafe(ref out0, (nuint)((3 * cRow) + w));
            }
            else
            {
                Scatter(c00, ref out0, cCol); Scatter(c01, ref Unsafe.Add(ref out0, w * cCol), cCol);
                Scatter(c10, ref Unsafe.Add(ref out0, cRow), cCol); Scatter(c11, ref Unsafe.Add(ref out0, cRow + (w * cCol)), cCol);
                Scatter(c20, ref Unsafe.Add(ref out0, 2 * cRow), cCol); Scatter(c21, ref Unsafe.Add(ref out0, (2 * cRow) + (w * cCol)), cCol);
                Scatter(c30, ref Unsafe.Add(ref out0, 3 * cRow), cCol); Scatter(c31, ref Unsafe.Add(ref out0, (3 * cRow) + (w * cCol)), cCol);
            }
        }

        for (; i < i1; i++)
        {
            Vector256<T> c0 = Vector256<T>.Zero, c1 = c0;
            for (int p = 0; p < k; p++)
            {
                ref T row = ref Unsafe.Add(ref rp, p * 2 * w);
                Vector256<T> ai = Vector256.Create(Unsafe.Add(ref ra, sa.Of(i, p)));
                c0 += ai * Vector256.LoadUnsafe(ref row);
                c1 += ai * Vector256.LoadUnsafe(ref row, (nuint)w);
            }

            Write(c0, ref Unsafe.Add(ref rc, sc.Of(i, j)), sc.Col);
            Write(c1, ref Unsafe.Add(ref rc, sc.Of(i, j + w)), sc.Col);
        }
    }

    /// <summary>Single-vector panels from <paramref name="j"/> on, in tiles of four rows; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own: inlined into a caller (a block job) it ran four times slower
    private static int NarrowPanels256<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n, int j, Span<T> pack)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector256<T>.Count, aRow = sa.Row, aCol = sa.Col;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        for (; j + w <= n; j += w)
        {
            Pack(b, sb, k, j, w, pack);
            int i = i0;
            for (; i + TileRows <= i1; i += TileRows)
            {
                Vector256<T> c0 = Vector256<T>.Zero, c1 = c0, c2 = c0, c3 = c0;
                ref T row = ref rp;
                ref T ap = ref Unsafe.Add(ref ra, sa.Of(i, 0));
                for (int p = 0; p < k; p++)
                {
                    Vector256<T> bp = Vector256.LoadUnsafe(ref row);
                    c0 += Vector256.Create(ap) * bp;
                    c1 += Vector256.Create(Unsafe.Add(ref ap, aRow)) * bp;
                    c2 += Vector256.Create(Unsafe.Add(ref ap, 2 * aRow)) * bp;
                    c3 += Vector256.Create(Unsafe.Add(ref ap, 3 * aRow)) * bp;
                    row = ref Unsafe.Add(ref row, w);
                    ap = ref Unsafe.Add(ref ap, aCol);
                }

                Write(c0, ref Unsafe.Add(ref rc, sc.Of(i, j)), sc.Col);
                Write(c1, ref Unsafe.Add(ref rc, sc.Of(i + 1, j)), sc.Col);
                Write(c2, ref Unsafe.Add(ref rc, sc.Of(i + 2, j)), sc.Col);
                Write(c3, ref Unsafe.Add(ref rc, sc.Of(i + 3, j)), sc.Col);
            }

            for (; i < i1; i++)
            {
                Vector256<T> c0 = Vector256<T>.Zero;
                for (int p = 0; p < k; p++)
                {
                    c0 += Vector256.Create(Unsafe.Add(ref ra, sa.Of(i, p))) * Vector256.LoadUnsafe(ref rp, (nuint)(p * w));
                }

                Write(c0, ref Unsafe.Add(ref rc, sc.Of(i, j)), sc.Col);
            }
        }

        return j;
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
