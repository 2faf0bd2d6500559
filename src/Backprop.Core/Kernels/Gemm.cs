using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    /// How many threads a large product may use (default 1). Threads take C's column panels
    /// (two vectors wide, every row) one at a time; each element is still the same sum, so the
    /// results do not depend on the thread count, bit for bit. Products below
    /// <see cref="ParallelThreshold"/> multiply-adds stay on the calling thread.
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
    /// 2²¹ multiply-adds, measured here: two threads made 64×256·256×128 (2²¹) about 1.3 times
    /// faster and 64×784·784×256 about 2 times, and everything below 2¹⁹ slower.
    /// </summary>
    private static long parallelThreshold = 1L << 21;

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
    /// </summary>
    private static void Product<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, SimdPath path)
        where T : INumberBase<T>
    {
        int done = 0;
        if (path != SimdPath.Scalar && typeof(T) == typeof(float))
        {
            done = Vectorised(Cast<T, float>(a), sa, Cast<T, float>(b), sb, Cast<T, float>(c), sc, m, k, n, path == SimdPath.Vector512);
        }
        else if (path != SimdPath.Scalar && typeof(T) == typeof(double))
        {
            done = Vectorised(Cast<T, double>(a), sa, Cast<T, double>(b), sb, Cast<T, double>(c), sc, m, k, n, path == SimdPath.Vector512);
        }

        // Columns the vectors did not cover (all of them on the scalar path).
        for (int i = 0; i < m; i++)
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

    private static Span<TOut> Cast<TIn, TOut>(ReadOnlySpan<TIn> span)
        => MemoryMarshal.CreateSpan(ref Unsafe.As<TIn, TOut>(ref MemoryMarshal.GetReference(span)), span.Length);

    /// <summary>
    /// Fills columns [0, returned) of C with vectors; the caller does the rest. The work comes in
    /// panels of two vectors' width; a large product hands them out to several threads, each
    /// taking the next panel as it finishes one (see <see cref="PanelWorkers"/>).
    /// </summary>
    private static unsafe int Vectorised<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, bool wide)
        where T : unmanaged, INumberBase<T>
    {
        int panelWidth = PanelWidth<T>(wide);
        int panels = n / panelWidth;
        bool parallel = false;
        if (Threads > 1 && panels > 1 && (long)m * k * n >= ParallelThreshold)
        {
            fixed (T* pa = a, pb = b, pc = c)
            {
                // The spans stay pinned until every panel is done: TryRun returns only then.
                parallel = PanelWorkers.TryRun(new Job<T>(pa, sa, pb, sb, pc, sc, m, k, n, wide, a.Length, b.Length, c.Length), panels, Threads);
            }
        }

        Span<T> pack = Scratch<T>.Panel(k * panelWidth);
        if (!parallel)
        {
            for (int panel = 0; panel < panels; panel++)
            {
                WidePanel(a, sa, b, sb, c, sc, m, k, n, panel * panelWidth, pack, wide);
            }
        }

        int j = panels * panelWidth;
        return wide ? NarrowPanels512(a, sa, b, sb, c, sc, m, k, n, j, pack) : NarrowPanels256(a, sa, b, sb, c, sc, m, k, n, j, pack);
    }

    private static void WidePanel<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, int j, Span<T> pack, bool wide)
        where T : unmanaged, INumberBase<T>
    {
        if (wide)
        {
            WidePanel512(a, sa, b, sb, c, sc, m, k, j, pack);
        }
        else
        {
            WidePanel256(a, sa, b, sb, c, sc, m, k, j, pack);
        }
    }

    /// <summary>Columns in one wide panel: two vectors of 512 or 256 bits.</summary>
    private static int PanelWidth<T>(bool wide) => 2 * (wide ? 64 : 32) / Unsafe.SizeOf<T>();

    /// <summary>
    /// Copies B's columns [j, j + width) into <paramref name="pack"/>, row p at p·width. B's rows
    /// are far apart (n elements, and with n a power of two, 256 here, a panel read in place
    /// crowds a few cache sets), or B is stored transposed; the copy is contiguous either way.
    /// </summary>
    private static void Pack<T>(ReadOnlySpan<T> b, Stride sb, int k, int j, int width, Span<T> pack)
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
        else
        {
            // Transposed: read each of B's columns along its storage, write it down the panel.
            for (int q = 0; q < width; q++)
            {
                ref T from = ref Unsafe.Add(ref rb, sb.Of(0, j + q));
                ref T to = ref Unsafe.Add(ref rp, q);
                for (int p = 0; p < k; p++)
                {
                    to = from;
                    from = ref Unsafe.Add(ref from, sb.Row);
                    to = ref Unsafe.Add(ref to, width);
                }
            }
        }
    }

    /// <summary>Where a matrix's element (row, col) lies in its span: row·Row + col·Col.</summary>
    private readonly record struct Stride(int Row, int Col)
    {
        public int Of(int row, int col) => (row * Row) + (col * Col);
    }

    /// <summary>A product in pinned memory; <see cref="RunPanel"/> computes one wide panel of C's columns.</summary>
    private readonly unsafe struct Job<T>(T* a, Stride sa, T* b, Stride sb, T* c, Stride sc, int m, int k, int n, bool wide, int aLength, int bLength, int cLength) : IPanelJob
        where T : unmanaged, INumberBase<T>
    {
        public void RunPanel(int panel)
        {
            int panelWidth = PanelWidth<T>(wide);
            WidePanel(new ReadOnlySpan<T>(a, aLength), sa, new ReadOnlySpan<T>(b, bLength), sb, new Span<T>(c, cLength), sc, m, k, n, panel * panelWidth, Scratch<T>.Panel(k * panelWidth), wide);
        }
    }

    // The panel routines are the same code at two widths: Vector512 and Vector256 share no
    // interface to write it once over. Lengths were checked by the public entry points, so the
    // unchecked accesses below stay inside a, b and c: i < m, p < k, j + width ≤ n.

    /// <summary>
    /// C's columns [j, j + 2w) for every row, w the lanes of a 512-bit vector: the panel of B is
    /// packed (k·2w), then every four-row tile reads it.
    /// </summary>
    private static void WidePanel512<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int j, Span<T> pack)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector512<T>.Count, aRow = sa.Row, aCol = sa.Col;
        Pack(b, sb, k, j, 2 * w, pack);
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        int i = 0;
        for (; i + TileRows <= m; i += TileRows)
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

        for (; i < m; i++)
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

    /// <summary>Single-vector panels from <paramref name="j"/> on; returns where the scalar tail starts.</summary>
    private static int NarrowPanels512<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, int j, Span<T> pack)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector512<T>.Count;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        for (; j + w <= n; j += w)
        {
            Pack(b, sb, k, j, w, pack);
            for (int i = 0; i < m; i++)
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

    /// <summary>Writes a vector's lanes <paramref name="step"/> elements apart: one store if they are adjacent, else one store each.</summary>
    private static void Write<T>(Vector512<T> v, ref T at, int step)
    {
        if (step == 1)
        {
            v.StoreUnsafe(ref at);
        }
        else
        {
            Scatter(v, ref at, step);
        }
    }

    /// <summary>Writes a vector's lanes <paramref name="step"/> elements apart, one store each.</summary>
    private static void Scatter<T>(Vector512<T> v, ref T at, int step)
    {
        ref T lanes = ref Unsafe.As<Vector512<T>, T>(ref v);
        for (int q = 0; q < Vector512<T>.Count; q++)
        {
            Unsafe.Add(ref at, q * step) = Unsafe.Add(ref lanes, q);
        }
    }

    /// <summary>
    /// C's columns [j, j + 2w) for every row, w the lanes of a 256-bit vector: the panel of B is
    /// packed (k·2w), then every four-row tile reads it.
    /// </summary>
    private static void WidePanel256<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int j, Span<T> pack)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector256<T>.Count, aRow = sa.Row, aCol = sa.Col;
        Pack(b, sb, k, j, 2 * w, pack);
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        int i = 0;
        for (; i + TileRows <= m; i += TileRows)
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

        for (; i < m; i++)
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

    /// <summary>Single-vector panels from <paramref name="j"/> on; returns where the scalar tail starts.</summary>
    private static int NarrowPanels256<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, int j, Span<T> pack)
        where T : unmanaged, INumberBase<T>
    {
        int w = Vector256<T>.Count;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        for (; j + w <= n; j += w)
        {
            Pack(b, sb, k, j, w, pack);
            for (int i = 0; i < m; i++)
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

    /// <summary>Writes a vector's lanes <paramref name="step"/> elements apart: one store if they are adjacent, else one store each.</summary>
    private static void Write<T>(Vector256<T> v, ref T at, int step)
    {
        if (step == 1)
        {
            v.StoreUnsafe(ref at);
        }
        else
        {
            Scatter(v, ref at, step);
        }
    }

    /// <summary>Writes a vector's lanes <paramref name="step"/> elements apart, one store each.</summary>
    private static void Scatter<T>(Vector256<T> v, ref T at, int step)
    {
        ref T lanes = ref Unsafe.As<Vector256<T>, T>(ref v);
        for (int q = 0; q < Vector256<T>.Count; q++)
        {
            Unsafe.Add(ref at, q * step) = Unsafe.Add(ref lanes, q);
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
