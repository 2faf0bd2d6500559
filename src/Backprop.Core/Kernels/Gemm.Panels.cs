using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Core.Kernels;

/// <summary>The vector kernels: register tiles of C over packed column panels of B.</summary>
public static partial class Gemm
{
    /// <summary>
    /// Fills rows [<paramref name="i0"/>, <paramref name="i1"/>) of C's columns [0, returned) with
    /// vectors, a wide panel (two vectors) at a time, then single vectors; the caller does the rest.
    /// </summary>
    private static int Vectorised<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n, SimdPath path)
        where T : unmanaged, IFloatingPointIeee754<T>
        => (path == SimdPath.Vector512, k <= ShortProduct) switch
        {
            (true, false) => Vectorised<Vector512<T>, Vector512Ops<T>, T, FusedTerm>(a, sa, b, sb, c, sc, i0, i1, k, n),
            (true, true) => Vectorised<Vector512<T>, Vector512Ops<T>, T, SeparateTerm>(a, sa, b, sb, c, sc, i0, i1, k, n),
            (false, false) => Vectorised<Vector256<T>, Vector256Ops<T>, T, FusedTerm>(a, sa, b, sb, c, sc, i0, i1, k, n),
            (false, true) => Vectorised<Vector256<T>, Vector256Ops<T>, T, SeparateTerm>(a, sa, b, sb, c, sc, i0, i1, k, n),
        };

    private static int Vectorised<TVector, TOps, T, TTerm>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int i0, int i1, int k, int n)
        where TVector : unmanaged
        where TOps : struct, IVectorOps<TVector, T>
        where T : unmanaged
        where TTerm : struct, ITerm
    {
        int w = TOps.Count;
        Span<T> pack = Scratch<T>.Panel(k * 2 * w);
        int j = 0;
        for (; j + (2 * w) <= n; j += 2 * w)
        {
            Pack(b, sb, k, j, 2 * w, pack);
            int i = i0;
            if (TOps.TileRows == 8)
            {
                i = Tiles<TVector, TOps, T, TTerm, Tile8x2>(a, sa, c, sc, pack, i, i1, k, j);
            }

            i = Tiles<TVector, TOps, T, TTerm, Tile4x2>(a, sa, c, sc, pack, i, i1, k, j);
            Tiles<TVector, TOps, T, TTerm, Tile1x2>(a, sa, c, sc, pack, i, i1, k, j);
        }

        for (; j + w <= n; j += w)
        {
            Pack(b, sb, k, j, w, pack);
            int i = i0;
            if (TOps.TileRows == 8)
            {
                i = Tiles<TVector, TOps, T, TTerm, Tile8x1>(a, sa, c, sc, pack, i, i1, k, j);
            }

            i = Tiles<TVector, TOps, T, TTerm, Tile4x1>(a, sa, c, sc, pack, i, i1, k, j);
            Tiles<TVector, TOps, T, TTerm, Tile1x1>(a, sa, c, sc, pack, i, i1, k, j);
        }

        return j;
    }

    /// <summary>Columns in one wide panel: two vectors of 512 or 256 bits.</summary>
    private static int PanelWidth<T>(SimdPath path) => 2 * (path == SimdPath.Vector512 ? 64 : 32) / Unsafe.SizeOf<T>();

    // Lengths were checked by the public entry points, so the unchecked accesses below stay
    // inside a, b and c: i ≤ row < i1 ≤ m, p < k, j + width ≤ n.

    /// <summary>
    /// Register tiles of TShape.Rows rows by TShape.Vectors vectors, from row <paramref name="i"/>
    /// down while whole tiles fit before <paramref name="i1"/>, over the panel of B packed at
    /// <paramref name="pack"/> (C's columns from <paramref name="j"/>); returns the first row not
    /// done. Each tile takes the inner sum block by block (see <see cref="Summation"/>): one chain
    /// per element and block, p ascending, written straight to C when there is one block, else
    /// carried into the tile's pairwise sums, whose total goes to C after the last block.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own: inlined into a caller (a block job) it ran four times slower
    private static int Tiles<TVector, TOps, T, TTerm, TShape>(ReadOnlySpan<T> a, Stride sa, Span<T> c, Stride sc, Span<T> pack, int i, int i1, int k, int j)
        where TVector : unmanaged
        where TOps : struct, IVectorOps<TVector, T>
        where T : unmanaged
        where TTerm : struct, ITerm
        where TShape : struct, ITileShape
    {
        int w = TOps.Count, width = TShape.Vectors * w, size = TShape.Rows * TShape.Vectors;
        int blocks = TTerm.Fused ? Summation.Blocks(k) : 1;

        // Cᵀ written into C (the A·Bᵀ route through Cᵀ) puts each tile row's lanes n apart; a
        // float tile of eight rows then goes through slots and is transposed on the way out, eight
        // of C's elements per store (measured: scattering them one by one cost the MNIST forward
        // product 17 µs of its 176).
        bool transposed = typeof(T) == typeof(float) && TOps.Count == 16 && TShape.Rows == 8 && sc.Row == 1 && sc.Col != 1;
        Span<TVector> sums = blocks > 1 || transposed ? Scratch<TVector>.Sums(PairwiseSpans.Length(blocks, size)) : default;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rc = ref MemoryMarshal.GetReference(c);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        for (; i + TShape.Rows <= i1; i += TShape.Rows)
        {
            ref T out0 = ref Unsafe.Add(ref rc, sc.Of(i, j));
            for (int block = 0; block < blocks; block++)
            {
                int p0 = block * Summation.BlockLength, p1 = blocks == 1 ? k : Math.Min(k, p0 + Summation.BlockLength);
                Tile<TVector, TOps, T, TTerm, TShape>(ref Unsafe.Add(ref ra, sa.Of(i, p0)), sa.Row, sa.Col, ref Unsafe.Add(ref rp, p0 * width), p1 - p0, ref out0, sc.Row, sc.Col, sums);
                if (blocks > 1)
                {
                    PairwiseSpans.Carry<TVector, TOps>(sums, size, block, last: block == blocks - 1);
                }
            }

            if (transposed)
            {
                WriteTransposed(MemoryMarshal.Cast<TVector, float>(sums[..size]), TShape.Vectors, ref Unsafe.As<T, float>(ref out0), sc.Col);
            }
            else if (blocks > 1)
            {
                for (int q = 0; q < size; q++)
                {
                    Write(sums[q], ref Unsafe.Add(ref out0, sc.Of(q / TShape.Vectors, q % TShape.Vectors * w)), sc.Col);
                }
            }
        }

        return i;
    }

    /// <summary>
    /// An eight-row float tile (rows of 16·<paramref name="vectors"/> lanes, in <paramref name="tile"/>
    /// row after row) into C transposed: lane l of row r goes to out0[l·step + r]. Each 8×8 block
    /// is transposed in registers and stored as eight runs of eight.
    /// </summary>
    private static unsafe void WriteTransposed(Span<float> tile, int vectors, ref float out0, int step)
    {
        int rowLength = 16 * vectors;
        fixed (float* t = tile, o = &out0)
        {
            for (int lane = 0; lane < rowLength; lane += 8)
            {
                Transpose8x8(
                    Avx.LoadVector256(t + lane), Avx.LoadVector256(t + rowLength + lane), Avx.LoadVector256(t + (2 * rowLength) + lane), Avx.LoadVector256(t + (3 * rowLength) + lane),
                    Avx.LoadVector256(t + (4 * rowLength) + lane), Avx.LoadVector256(t + (5 * rowLength) + lane), Avx.LoadVector256(t + (6 * rowLength) + lane), Avx.LoadVector256(t + (7 * rowLength) + lane),
                    o + (lane * step), step);
            }
        }
    }

    /// <summary>
    /// One tile's chains over <paramref name="count"/> terms: row r of the tile reads A at
    /// ap + r·aRow + p·aCol, the panel row p at row + p·width. The sums go to C from
    /// <paramref name="out0"/> (through C's strides) when <paramref name="slots"/> is empty, else
    /// to the slots, row by row. No calls inside: the sixteen accumulators stay in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Tile<TVector, TOps, T, TTerm, TShape>(ref T ap, int aRow, int aCol, ref T row, int count, ref T out0, int cRow, int cCol, Span<TVector> slots)
        where TVector : unmanaged
        where TOps : struct, IVectorOps<TVector, T>
        where T : unmanaged
        where TTerm : struct, ITerm
        where TShape : struct, ITileShape
    {
        int w = TOps.Count, width = TShape.Vectors * w;
        nint r1 = aRow, r2 = 2 * r1, r3 = 3 * r1;
        ref T ap4 = ref Unsafe.Add(ref ap, 4 * r1);
        TVector c00 = TOps.Zero, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        TVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < count; p++)
        {
            TVector b0 = TOps.Load(ref row, 0);
            TVector b1 = TShape.Vectors == 2 ? TOps.Load(ref row, (nuint)w) : default;
            TVector x = TOps.Broadcast(ap);
            c00 = TOps.MultiplyAdd(x, b0, c00, TTerm.Fused);
            c01 = TShape.Vectors == 2 ? TOps.MultiplyAdd(x, b1, c01, TTerm.Fused) : c01;
            if (TShape.Rows >= 4)
            {
                x = TOps.Broadcast(Unsafe.Add(ref ap, r1));
                c10 = TOps.MultiplyAdd(x, b0, c10, TTerm.Fused);
                c11 = TShape.Vectors == 2 ? TOps.MultiplyAdd(x, b1, c11, TTerm.Fused) : c11;
                x = TOps.Broadcast(Unsafe.Add(ref ap, r2));
                c20 = TOps.MultiplyAdd(x, b0, c20, TTerm.Fused);
                c21 = TShape.Vectors == 2 ? TOps.MultiplyAdd(x, b1, c21, TTerm.Fused) : c21;
                x = TOps.Broadcast(Unsafe.Add(ref ap, r3));
                c30 = TOps.MultiplyAdd(x, b0, c30, TTerm.Fused);
                c31 = TShape.Vectors == 2 ? TOps.MultiplyAdd(x, b1, c31, TTerm.Fused) : c31;
            }

            if (TShape.Rows == 8)
            {
                x = TOps.Broadcast(ap4);
                c40 = TOps.MultiplyAdd(x, b0, c40, TTerm.Fused);
                c41 = TShape.Vectors == 2 ? TOps.MultiplyAdd(x, b1, c41, TTerm.Fused) : c41;
                x = TOps.Broadcast(Unsafe.Add(ref ap4, r1));
                c50 = TOps.MultiplyAdd(x, b0, c50, TTerm.Fused);
                c51 = TShape.Vectors == 2 ? TOps.MultiplyAdd(x, b1, c51, TTerm.Fused) : c51;
                x = TOps.Broadcast(Unsafe.Add(ref ap4, r2));
                c60 = TOps.MultiplyAdd(x, b0, c60, TTerm.Fused);
                c61 = TShape.Vectors == 2 ? TOps.MultiplyAdd(x, b1, c61, TTerm.Fused) : c61;
                x = TOps.Broadcast(Unsafe.Add(ref ap4, r3));
                c70 = TOps.MultiplyAdd(x, b0, c70, TTerm.Fused);
                c71 = TShape.Vectors == 2 ? TOps.MultiplyAdd(x, b1, c71, TTerm.Fused) : c71;
                ap4 = ref Unsafe.Add(ref ap4, aCol);
            }

            row = ref Unsafe.Add(ref row, width);
            ap = ref Unsafe.Add(ref ap, aCol);
        }

        var put = new Put<TVector, T>(ref out0, cRow, cCol, w, TShape.Vectors, slots);
        put.At(0, 0, c00);
        if (TShape.Vectors == 2) put.At(0, 1, c01);
        if (TShape.Rows >= 4)
        {
            put.At(1, 0, c10); put.At(2, 0, c20); put.At(3, 0, c30);
            if (TShape.Vectors == 2) { put.At(1, 1, c11); put.At(2, 1, c21); put.At(3, 1, c31); }
        }

        if (TShape.Rows == 8)
        {
            put.At(4, 0, c40); put.At(5, 0, c50); put.At(6, 0, c60); put.At(7, 0, c70);
            if (TShape.Vectors == 2) { put.At(4, 1, c41); put.At(5, 1, c51); put.At(6, 1, c61); put.At(7, 1, c71); }
        }
    }

    /// <summary>
    /// Writes a vector's lanes (a <c>Vector512&lt;T&gt;</c> or <c>Vector256&lt;T&gt;</c>)
    /// <paramref name="step"/> elements apart: one store if they are adjacent, else one store each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write<TVector, T>(TVector v, ref T at, int step)
        where TVector : struct
    {
        if (step == 1)
        {
            Unsafe.WriteUnaligned(ref Unsafe.As<T, byte>(ref at), v);
        }
        else
        {
            ref T lanes = ref Unsafe.As<TVector, T>(ref v);
            for (int q = 0; q < Unsafe.SizeOf<TVector>() / Unsafe.SizeOf<T>(); q++)
            {
                Unsafe.Add(ref at, q * step) = Unsafe.Add(ref lanes, q);
            }
        }
    }

    /// <summary>Where a tile's sums go: to C through its strides, or, when there are slots, to slot row·vectors + vector.</summary>
    private readonly ref struct Put<TVector, T>(ref T out0, int cRow, int cCol, int w, int vectors, Span<TVector> slots)
        where TVector : unmanaged
    {
        private readonly ref T out0 = ref out0;
        private readonly Span<TVector> slots = slots;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At(int row, int vector, TVector v)
        {
            if (slots.IsEmpty)
            {
                Write(v, ref Unsafe.Add(ref out0, (row * cRow) + (vector * w * cCol)), cCol);
            }
            else
            {
                Unsafe.Add(ref MemoryMarshal.GetReference(slots), (row * vectors) + vector) = v;
            }
        }
    }

    /// <summary>How each term joins its sum: a fused multiply-add, or the product rounded and then added.</summary>
    private interface ITerm
    {
        static abstract bool Fused { get; }
    }

    private readonly struct FusedTerm : ITerm
    {
        public static bool Fused => true;
    }

    private readonly struct SeparateTerm : ITerm
    {
        public static bool Fused => false;
    }

    /// <summary>A register tile's shape: rows of C by vectors of columns.</summary>
    private interface ITileShape
    {
        static abstract int Rows { get; }

        static abstract int Vectors { get; }
    }

#pragma warning disable SA1502, SA1516 // six shapes, one line each
    private readonly struct Tile8x2 : ITileShape { public static int Rows => 8; public static int Vectors => 2; }
    private readonly struct Tile4x2 : ITileShape { public static int Rows => 4; public static int Vectors => 2; }
    private readonly struct Tile1x2 : ITileShape { public static int Rows => 1; public static int Vectors => 2; }
    private readonly struct Tile8x1 : ITileShape { public static int Rows => 8; public static int Vectors => 1; }
    private readonly struct Tile4x1 : ITileShape { public static int Rows => 4; public static int Vectors => 1; }
    private readonly struct Tile1x1 : ITileShape { public static int Rows => 1; public static int Vectors => 1; }
#pragma warning restore SA1502, SA1516
}
