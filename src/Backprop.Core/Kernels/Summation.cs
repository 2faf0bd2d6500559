using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop.Core.Kernels;

/// <summary>
/// The order every long sum in the core is taken in: a matrix product's inner sums, a bias
/// gradient's sum over samples, a loss's sum over elements. The terms go in blocks of
/// <see cref="BlockLength"/>, each block summed in ascending order from zero; the block sums are
/// then added pairwise, the way a binary counter carries: s₀+s₁, then (s₀+s₁)+(s₂+s₃), and so on,
/// a run of blocks being split where its first part is the largest power of two shorter than the
/// run (five blocks: ((s₀+s₁)+(s₂+s₃))+s₄). A sum of at most one block is the plain ascending loop.
/// <para>
/// Why: a float32 loop over n equal terms drifts by about n·u/4 (u = 2⁻²³): 8e-4 of the sum at
/// n = 2¹⁶. Blocked, the error is about (256/4 + log₂(n/256))·u, under 5e-6 up to 2²¹ terms, as
/// BLAS and libtorch's reductions block theirs; and a sum of up to 256 terms keeps its old bits.
/// </para>
/// Thread-safe: it holds no state.
/// </summary>
public static class Summation
{
    /// <summary>Terms per block (measured: see docs/performance.md).</summary>
    public const int BlockLength = 256;

    /// <summary>Σ x in this order.</summary>
    public static T Sum<T>(ReadOnlySpan<T> x)
        where T : INumberBase<T>
    {
        if (x.Length > BlockLength)
        {
            return Blocked(x);
        }

        T sum = T.Zero;
        foreach (T term in x)
        {
            sum += term;
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the levels off the common path's stack
    private static T Blocked<T>(ReadOnlySpan<T> x)
        where T : INumberBase<T>
    {
        var sum = new BlockedSum<T>();
        foreach (T term in x)
        {
            sum.Add(term);
        }

        return sum.Total();
    }

    /// <summary>How many blocks <paramref name="count"/> terms make: at least one, even for none.</summary>
    internal static int Blocks(int count) => Math.Max(1, (count + BlockLength - 1) / BlockLength);
}

/// <summary>
/// Adds a sequence of block sums pairwise (see <see cref="Summation"/>): partial sums of 2ˡ whole
/// blocks wait at level l until their twin arrives, as a binary counter carries.
/// </summary>
internal struct PairwiseSums<T>
    where T : IAdditionOperators<T, T, T>
{
    private Levels levels;
    private long count;

    /// <summary>Block sums added so far.</summary>
    public readonly long Count => count;

    public void Add(T blockSum)
    {
        int level = 0;
        for (long c = count; (c & 1) != 0; c >>= 1, level++)
        {
            blockSum = levels[level] + blockSum;
        }

        levels[level] = blockSum;
        count++;
    }

    /// <summary>The whole sum; at least one block must have been added.</summary>
    public readonly T Total()
    {
        int level = BitOperations.TrailingZeroCount(count);
        T total = levels[level];
        for (long c = count >> (level + 1); c != 0; c >>= 1)
        {
            level++;
            if ((c & 1) != 0)
            {
                total = levels[level] + total;
            }
        }

        return total;
    }

    [InlineArray(64)]
    private struct Levels
    {
        private T level;
    }
}

/// <summary>
/// A running sum taken in <see cref="Summation"/>'s order, one term at a time: for a loss's
/// reduction. Up to <see cref="Summation.BlockLength"/> terms it is the plain loop from zero. Not
/// thread-safe: a running sum belongs to one loop (a struct, so a copy sums on its own).
/// </summary>
public struct BlockedSum<T>
    where T : INumberBase<T>
{
    private PairwiseSums<T> blocks;
    private T block;
    private int terms;

    public BlockedSum()
    {
        block = T.Zero;
    }

    public void Add(T term)
    {
        block += term;
        if (++terms == Summation.BlockLength)
        {
            blocks.Add(block);
            (block, terms) = (T.Zero, 0);
        }
    }

    /// <summary>The sum of every term added.</summary>
    public readonly T Total()
    {
        if (blocks.Count == 0)
        {
            return block;
        }

        if (terms == 0)
        {
            return blocks.Total();
        }

        PairwiseSums<T> withLast = blocks;
        withLast.Add(block);
        return withLast.Total();
    }
}

/// <summary>Addition for <see cref="PairwiseSpans"/>: of scalars, or of vectors (<see cref="IVectorOps{TVector, T}"/>).</summary>
internal interface IAdder<T>
{
    static abstract T Add(T earlier, T later);
}

internal readonly struct ScalarAdder<T> : IAdder<T>
    where T : IAdditionOperators<T, T, T>
{
    public static T Add(T earlier, T later) => earlier + later;
}

/// <summary>
/// <see cref="PairwiseSums{T}"/> for many sums at once, each a slot of a span: a register tile's
/// elements, or a matrix's column sums. Slots [0, size) carry the block just finished (and the
/// total after the last); level l waits at [(l + 1)·size, (l + 2)·size).
/// </summary>
internal static class PairwiseSpans
{
    /// <summary>The span length <see cref="Carry"/> needs for <paramref name="blocks"/> blocks of <paramref name="size"/> sums.</summary>
    public static int Length(int blocks, int size) => (BitOperations.Log2((uint)blocks) + 2) * size;

    /// <summary>
    /// Adds block <paramref name="block"/> (0, 1, … in order; its sums in slots [0, size)) to the
    /// levels; after the <paramref name="last"/> block, leaves the totals in slots [0, size).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Carry<T, TAdder>(Span<T> sums, int size, int block, bool last)
        where TAdder : IAdder<T>
    {
        Span<T> carry = sums[..size];
        int level = 0;
        for (int count = block; (count & 1) != 0; count >>= 1, level++)
        {
            AddInto(Level(sums, size, level), carry);
        }

        carry.CopyTo(Level(sums, size, level));
        if (!last)
        {
            return;
        }

        // The total, from the lowest level that holds a partial sum up.
        int blocks = block + 1;
        level = BitOperations.TrailingZeroCount(blocks);
        Level(sums, size, level).CopyTo(carry);
        for (int count = blocks >> (level + 1); count != 0; count >>= 1)
        {
            level++;
            if ((count & 1) != 0)
            {
                AddInto(Level(sums, size, level), carry);
            }
        }

        static Span<T> Level(Span<T> sums, int size, int l) => sums.Slice((l + 1) * size, size);

        static void AddInto(Span<T> earlier, Span<T> later)
        {
            for (int q = 0; q < later.Length; q++)
            {
                later[q] = TAdder.Add(earlier[q], later[q]);
            }
        }
    }
}
