using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>
/// Element-wise fused multiply-adds for the optimizers' updates, one rounding each, as libtorch's
/// add with alpha and addcmul compute them. The vector paths apply the same operation to each
/// lane, so every path gives the same bits.
/// </summary>
public static class Fused
{
    /// <summary>y[j] = a·x[j] + y[j], rounded once.</summary>
    public static void MultiplyAdd<T>(T a, ReadOnlySpan<T> x, Span<T> y, SimdPath? path = null)
        where T : IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"x holds {x.Length} elements but y holds {y.Length}; they must be equal", nameof(y));
        }

        int j = 0;
        SimdPath chosen = path ?? Gemm.Best<T>();
        if (chosen > Gemm.Best<T>())
        {
            throw new NotSupportedException($"the {chosen} path is not available here for {typeof(T).Name}");
        }

        if (typeof(T) == typeof(float) && chosen != SimdPath.Scalar)
        {
            j = MultiplyAdd(Unsafe.As<T, float>(ref a), Cast<T, float>(x), Cast<T, float>(y), chosen);
        }
        else if (typeof(T) == typeof(double) && chosen != SimdPath.Scalar)
        {
            j = MultiplyAdd(Unsafe.As<T, double>(ref a), Cast<T, double>(x), Cast<T, double>(y), chosen);
        }

        for (; j < x.Length; j++)
        {
            y[j] = T.FusedMultiplyAdd(a, x[j], y[j]);
        }
    }

    private static Span<TOut> Cast<TIn, TOut>(ReadOnlySpan<TIn> span)
        => MemoryMarshal.CreateSpan(ref Unsafe.As<TIn, TOut>(ref MemoryMarshal.GetReference(span)), span.Length);

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
