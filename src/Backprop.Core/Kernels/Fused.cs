using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>
/// Element-wise fused multiply-adds for the optimizers' updates, one rounding each, as libtorch's
/// add with alpha and addcmul compute them. The vector paths apply the same operation to each
/// lane, so every path gives the same bits. Thread-safe: it holds no state (see <see cref="Gemm"/> for
/// the helper threads); the caller must not write x or y while an update runs.
/// </summary>
public static class Fused
{
    /// <summary>
    /// y[j] = a·x[j] + y[j], rounded once. With <see cref="KernelOptions.Threads"/> above 1, a long update
    /// (2¹⁶ elements or more) is split into one contiguous part per thread, thread t taking part t:
    /// for a weight matrix these are the rows that thread t computed in the products (see
    /// <see cref="Gemm"/>), so neither the gradient nor the weights move between cores.
    /// </summary>
    public static void MultiplyAdd<T>(T a, ReadOnlySpan<T> x, Span<T> y, KernelOptions options)
        where T : IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x holds {x.Length} elements but y holds {y.Length}; they must be equal", nameof(y));
        }

        SimdPath chosen = Gemm.Choose<T>(options);
        int parts = x.Length >= Gemm.SplitRowsFrom ? options.Threads : 1;
        bool parallel = parts > 1 && chosen != SimdPath.Scalar && (
            typeof(T) == typeof(float) ? InParts(Unsafe.As<T, float>(ref a), Gemm.Cast<T, float>(x), Gemm.Cast<T, float>(y), chosen, parts)
            : typeof(T) == typeof(double) && InParts(Unsafe.As<T, double>(ref a), Gemm.Cast<T, double>(x), Gemm.Cast<T, double>(y), chosen, parts));
        if (!parallel)
        {
            Part(a, x, y, chosen);
        }
    }

    private static void Part<T>(T a, ReadOnlySpan<T> x, Span<T> y, SimdPath path)
        where T : IFloatingPointIeee754<T>
    {
        int j = 0;
        if (typeof(T) == typeof(float) && path != SimdPath.Scalar)
        {
            j = MultiplyAdd(Unsafe.As<T, float>(ref a), Gemm.Cast<T, float>(x), Gemm.Cast<T, float>(y), path);
        }
        else if (typeof(T) == typeof(double) && path != SimdPath.Scalar)
        {
            j = MultiplyAdd(Unsafe.As<T, double>(ref a), Gemm.Cast<T, double>(x), Gemm.Cast<T, double>(y), path);
        }

        for (; j < x.Length; j++)
        {
            y[j] = T.FusedMultiplyAdd(a, x[j], y[j]);
        }
    }

    /// <summary>Runs the update as <paramref name="parts"/> parts on as many threads; false, having done nothing, if the helpers are busy.</summary>
    private static unsafe bool InParts<T>(T a, ReadOnlySpan<T> x, Span<T> y, SimdPath path, int parts)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x, py = y)
        {
            // The spans stay pinned until every part is done: TryRun returns only then.
            return BlockWorkers.TryRun(new Job<T>(a, px, py, x.Length, path, parts), parts, parts);
        }
    }

    /// <summary>An update in pinned memory; part t starts at the t-th equal share, rounded down to a 64-byte boundary.</summary>
    private readonly unsafe struct Job<T>(T a, T* x, T* y, int length, SimdPath path, int parts) : IBlockJob
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void RunBlock(int block)
        {
            int start = Start(block), end = Start(block + 1);
            Part(a, new ReadOnlySpan<T>(x + start, end - start), new Span<T>(y + start, end - start), path);
        }

        private int Start(int part) => part == parts ? length : (int)((long)length * part / parts) / (64 / sizeof(T)) * (64 / sizeof(T));
    }

    // Lengths were checked above: every load and store below ends at or before x.Length.
    private static int MultiplyAdd(float a, Span<float> x, Span<float> y, SimdPath path)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int j = 0;
        if (path == SimdPath.Vector512)
        {
            Vector512<float> va = Vector512.Create(a);
            for (; j + Vector512<float>.Count <= x.Length; j += Vector512<float>.Count)
            {
                Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref rx, (nuint)j), Vector512.LoadUnsafe(ref ry, (nuint)j)).StoreUnsafe(ref ry, (nuint)j);
            }
        }

        Vector256<float> vb = Vector256.Create(a);
        for (; j + Vector256<float>.Count <= x.Length; j += Vector256<float>.Count)
        {
            Vector256.FusedMultiplyAdd(vb, Vector256.LoadUnsafe(ref rx, (nuint)j), Vector256.LoadUnsafe(ref ry, (nuint)j)).StoreUnsafe(ref ry, (nuint)j);
        }

        return j;
    }

    private static int MultiplyAdd(double a, Span<double> x, Span<double> y, SimdPath path)
    {
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double ry = ref MemoryMarshal.GetReference(y);
        int j = 0;
        if (path == SimdPath.Vector512)
        {
            Vector512<double> va = Vector512.Create(a);
            for (; j + Vector512<double>.Count <= x.Length; j += Vector512<double>.Count)
            {
                Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref rx, (nuint)j), Vector512.LoadUnsafe(ref ry, (nuint)j)).StoreUnsafe(ref ry, (nuint)j);
            }
        }

        Vector256<double> vb = Vector256.Create(a);
        for (; j + Vector256<double>.Count <= x.Length; j += Vector256<double>.Count)
        {
            Vector256.FusedMultiplyAdd(vb, Vector256.LoadUnsafe(ref rx, (nuint)j), Vector256.LoadUnsafe(ref ry, (nuint)j)).StoreUnsafe(ref ry, (nuint)j);
        }

        return j;
    }
}
