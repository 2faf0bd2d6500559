using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Activations;

/// <summary>
/// g(z) = max(0, z); g'(z) = 1 for z &gt; 0 and 0 otherwise, so ReLU'(0) = 0, as PyTorch.
/// Forward keeps z unless z &lt; 0, as PyTorch's clamp_min: NaN passes through and relu(−0) = −0.
/// Backward, like PyTorch's
/// threshold_backward, tests the output: dZ = (a &lt;= 0) ? 0 : dA, so a NaN output passes dA on.
/// Both select, never compute, so the vector loops (float and double) give the scalar loop's bits.
/// Thread-safe: immutable.
/// </summary>
public sealed class Relu : ElementwiseActivation
{
    public static Relu Instance { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Instance, _ => Instance);

    private Relu()
    {
    }

    public override string Name => "relu";

    public override double Derivative(double z, double a) => z > 0 ? 1 : 0;

    public override bool? Piece(double z) => z > 0;

    public override bool IsKink(double z) => z == 0;

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        int i = typeof(T) == typeof(float) ? ForwardLanes(Gemm.Cast<T, float>(z), Gemm.Cast<T, float>(a))
            : typeof(T) == typeof(double) ? ForwardLanes(Gemm.Cast<T, double>(z), Gemm.Cast<T, double>(a))
            : 0;
        for (; i < z.Length; i++)
        {
            a[i] = z[i] < T.Zero ? T.Zero : z[i];
        }
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        int i = typeof(T) == typeof(float) ? BackwardLanes(Gemm.Cast<T, float>(a), Gemm.Cast<T, float>(dA), Gemm.Cast<T, float>(dZ))
            : typeof(T) == typeof(double) ? BackwardLanes(Gemm.Cast<T, double>(a), Gemm.Cast<T, double>(dA), Gemm.Cast<T, double>(dZ))
            : 0;
        for (; i < z.Length; i++)
        {
            dZ[i] = a[i] <= T.Zero ? T.Zero : dA[i];
        }
    }

    /// <summary>The forward selection over whole vectors; returns how many elements it did.</summary>
    private static int ForwardLanes<TV>(ReadOnlySpan<TV> z, Span<TV> a)
        where TV : unmanaged, INumberBase<TV>
    {
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        int i = 0;
        for (; i <= z.Length - Vector<TV>.Count; i += Vector<TV>.Count)
        {
            var v = new Vector<TV>(z[i..]);
            Vector.ConditionalSelect(Vector.LessThan(v, Vector<TV>.Zero), Vector<TV>.Zero, v).CopyTo(a[i..]);
        }

        return i;
    }

    /// <summary>The backward selection over whole vectors; returns how many elements it did.</summary>
    private static int BackwardLanes<TV>(ReadOnlySpan<TV> a, ReadOnlySpan<TV> dA, Span<TV> dZ)
        where TV : unmanaged, INumberBase<TV>
    {
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        int i = 0;
        for (; i <= a.Length - Vector<TV>.Count; i += Vector<TV>.Count)
        {
            var mask = Vector.LessThanOrEqual(new Vector<TV>(a[i..]), Vector<TV>.Zero);
            Vector.ConditionalSelect(mask, Vector<TV>.Zero, new Vector<TV>(dA[i..])).CopyTo(dZ[i..]);
        }

        return i;
    }
}
