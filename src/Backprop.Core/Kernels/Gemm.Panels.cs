using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>The vector kernels: register tiles of C over packed column panels of B.</summary>
public static partial class Gemm
{
    /// <summary>
    /// Fills rows [<paramref name="i0"/>, <paramref name="i1"/>) of C's columns [0, returned) with
    /// vectors, a wide panel (two vectors) at a time, then single vectors; the caller does the rest.
    /// </summary>
    private static int Vectorised<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n, SimdPath path)
        where T : unmanaged, INumberBase<T>
        => path == SimdPath.Vector512
            ? Vectorised<Vector512<T>, Vector512Ops<T>, T>(a, sa, b, sb, c, sc, i0, i1, k, n)
            : Vectorised<Vector256<T>, Vector256Ops<T>, T>(a, sa, b, sb, c, sc, i0, i1, k, n);

    private static int Vectorised<TVector, TOps, T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n)
        where TVector : struct
        where TOps : struct, IVectorOps<TVector, T>
        where T : unmanaged
    {
        int panelWidth = 2 * TOps.Count;
        Span<T> pack = Scratch<T>.Panel(k * panelWidth);
        int j = 0;
        for (; j + panelWidth <= n; j += panelWidth)
        {
            WidePanel<TVector, TOps, T>(a, sa, b, sb, c, sc, i0, i1, k, j, pack);
        }

        return NarrowPanels<TVector, TOps, T>(a, sa, b, sb, c, sc, i0, i1, k, n, j, pack);
    }

    /// <summary>Columns in one wide panel: two vectors of 512 or 256 bits.</summary>
    private static int PanelWidth<T>(SimdPath path) => 2 * (path == SimdPath.Vector512 ? 64 : 32) / Unsafe.SizeOf<T>();

    // Lengths were checked by the public entry points, so the unchecked accesses below stay
    // inside a, b and c: i0 ≤ i < i1 ≤ m, p < k, j + width ≤ n.

    /// <summary>
    /// C's columns [j, j + 2w) for every row, w the lanes of a vector: the panel of B is packed
    /// (k·2w), then every four-row tile reads it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own: inlined into a caller (a block job) it ran four times slower
    private static void WidePanel<TVector, TOps, T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int j, Span<T> pack)
        where TVector : struct
        where TOps : struct, IVectorOps<TVector, T>
        where T : unmanaged
    {
        int w = TOps.Count, aRow = sa.Row, aCol = sa.Col;
        Pack(b, sb, k, j, 2 * w, pack);
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        int i = i0;
        for (; i + TileRows <= i1; i += TileRows)
        {
            TVector c00 = TOps.Zero, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            ref T row = ref rp;
            ref T ap = ref Unsafe.Add(ref ra, sa.Of(i, 0));
            for (int p = 0; p < k; p++)
            {
                TVector b0 = TOps.Load(ref row, 0), b1 = TOps.Load(ref row, (nuint)w);
                TVector a0 = TOps.Broadcast(ap);
                TVector a1 = TOps.Broadcast(Unsafe.Add(ref ap, aRow));
                TVector a2 = TOps.Broadcast(Unsafe.Add(ref ap, 2 * aRow));
                TVector a3 = TOps.Broadcast(Unsafe.Add(ref ap, 3 * aRow));
                c00 = TOps.MultiplyAdd(c00, a0, b0); c01 = TOps.MultiplyAdd(c01, a0, b1);
                c10 = TOps.MultiplyAdd(c10, a1, b0); c11 = TOps.MultiplyAdd(c11, a1, b1);
                c20 = TOps.MultiplyAdd(c20, a2, b0); c21 = TOps.MultiplyAdd(c21, a2, b1);
                c30 = TOps.MultiplyAdd(c30, a3, b0); c31 = TOps.MultiplyAdd(c31, a3, b1);
                row = ref Unsafe.Add(ref row, 2 * w);
                ap = ref Unsafe.Add(ref ap, aCol);
            }

            ref T out0 = ref Unsafe.Add(ref rc, sc.Of(i, j));
            int cRow = sc.Row, cCol = sc.Col;
            if (cCol == 1)
            {
                TOps.Store(c00, ref out0, 0); TOps.Store(c01, ref out0, (nuint)w);
                TOps.Store(c10, ref out0, (nuint)cRow); TOps.Store(c11, ref out0, (nuint)(cRow + w));
                TOps.Store(c20, ref out0, (nuint)(2 * cRow)); TOps.Store(c21, ref out0, (nuint)((2 * cRow) + w));
                TOps.Store(c30, ref out0, (nuint)(3 * cRow)); TOps.Store(c31, ref out0, (nuint)((3 * cRow) + w));
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
            TVector c0 = TOps.Zero, c1 = c0;
            for (int p = 0; p < k; p++)
            {
                ref T row = ref Unsafe.Add(ref rp, p * 2 * w);
                TVector ai = TOps.Broadcast(Unsafe.Add(ref ra, sa.Of(i, p)));
                c0 = TOps.MultiplyAdd(c0, ai, TOps.Load(ref row, 0));
                c1 = TOps.MultiplyAdd(c1, ai, TOps.Load(ref row, (nuint)w));
            }

            Write(c0, ref Unsafe.Add(ref rc, sc.Of(i, j)), sc.Col);
            Write(c1, ref Unsafe.Add(ref rc, sc.Of(i, j + w)), sc.Col);
        }
    }

    /// <summary>Single-vector panels from <paramref name="j"/> on, in tiles of four rows; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own: inlined into a caller (a block job) it ran four times slower
    private static int NarrowPanels<TVector, TOps, T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n, int j, Span<T> pack)
        where TVector : struct
        where TOps : struct, IVectorOps<TVector, T>
        where T : unmanaged
    {
        int w = TOps.Count, aRow = sa.Row, aCol = sa.Col;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        for (; j + w <= n; j += w)
        {
            Pack(b, sb, k, j, w, pack);
            int i = i0;
            for (; i + TileRows <= i1; i += TileRows)
            {
                TVector c0 = TOps.Zero, c1 = c0, c2 = c0, c3 = c0;
                ref T row = ref rp;
                ref T ap = ref Unsafe.Add(ref ra, sa.Of(i, 0));
                for (int p = 0; p < k; p++)
                {
                    TVector bp = TOps.Load(ref row, 0);
                    c0 = TOps.MultiplyAdd(c0, TOps.Broadcast(ap), bp);
                    c1 = TOps.MultiplyAdd(c1, TOps.Broadcast(Unsafe.Add(ref ap, aRow)), bp);
                    c2 = TOps.MultiplyAdd(c2, TOps.Broadcast(Unsafe.Add(ref ap, 2 * aRow)), bp);
                    c3 = TOps.MultiplyAdd(c3, TOps.Broadcast(Unsafe.Add(ref ap, 3 * aRow)), bp);
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
                TVector c0 = TOps.Zero;
                for (int p = 0; p < k; p++)
                {
                    c0 = TOps.MultiplyAdd(c0, TOps.Broadcast(Unsafe.Add(ref ra, sa.Of(i, p))), TOps.Load(ref rp, (nuint)(p * w)));
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
}
