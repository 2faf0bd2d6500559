using System.Numerics;

namespace Backprop.Core.Kernels;

/// <summary>A large product split into blocks of C's rows, one per thread (see <see cref="BlockWorkers"/>).</summary>
public static partial class Gemm
{
    /// <summary>
    /// A matrix of this many elements or more is split by rows among the threads whenever a
    /// kernel reads or writes it whole by rows, whatever the product's size: A or C in a product,
    /// and y in <see cref="Fused.MultiplyAdd{T}(T, ReadOnlySpan{T}, Span{T}, KernelOptions)"/>. Every kernel splits it the same way, so the rows of a
    /// weight matrix that thread t computes in the forward product, writes as a gradient and
    /// updates stay in thread t's cache; moving 200k floats between the two cores here costs
    /// about 100 µs, more than the second core saves.
    /// </summary>
    internal const int SplitRowsFrom = 1 << 16;

    /// <summary>
    /// Runs the product as <paramref name="blocks"/> blocks of C's rows on as many threads (see
    /// <see cref="BlockWorkers"/>); false, having computed nothing, if the helpers are busy.
    /// </summary>
    private static unsafe bool InBlocks<T>(ReadOnlySpan<T> a, Stride sa, ReadOnlySpan<T> b, Stride sb, Span<T> c, Stride sc, int m, int k, int n, SimdPath path, int blocks)
        where T : unmanaged, IFloatingPointIeee754<T>
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
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void RunBlock(int block)
            => Rows(new ReadOnlySpan<T>(a, aLength), sa, new ReadOnlySpan<T>(b, bLength), sb, new Span<T>(c, cLength), sc, BlockStart(m, blocks, block), BlockStart(m, blocks, block + 1), k, n, path);
    }
}
