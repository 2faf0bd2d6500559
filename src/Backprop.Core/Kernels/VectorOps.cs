using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>
/// The few operations the panel kernels need from a vector type, so that one kernel serves
/// <see cref="Vector512{T}"/> and <see cref="Vector256{T}"/> (the runtime gives them no common
/// interface). The implementations are empty structs: a kernel generic over one is compiled once
/// per vector type, with every call inlined, the same machine code as a kernel written for it.
/// </summary>
internal interface IVectorOps<TVector, T> : IAdder<TVector>
    where TVector : struct
{
    /// <summary>Lanes in one vector.</summary>
    static abstract int Count { get; }

    /// <summary>
    /// Rows in the widest register tile: sixteen accumulators at 512 bits (AVX-512 has 32
    /// registers), eight at 256 (AVX2 has 16).
    /// </summary>
    static abstract int TileRows { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Broadcast(T value);

    static abstract TVector Load(ref T at, nuint offset);

    static abstract void Store(TVector v, ref T at, nuint offset);

    /// <summary>sum + a·b: rounded once when <paramref name="fused"/> (float and double only), else the product rounded and then added.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector sum, bool fused);
}

internal readonly struct Vector512Ops<T> : IVectorOps<Vector512<T>, T>
{
    public static int Count => Vector512<T>.Count;

    public static int TileRows => 8;

    public static Vector512<T> Zero => Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref T at, nuint offset) => Vector512.LoadUnsafe(ref at, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> v, ref T at, nuint offset) => v.StoreUnsafe(ref at, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> x, Vector512<T> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> sum, bool fused)
        => !fused ? sum + (a * b)
            : typeof(T) == typeof(float) ? Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), sum.As<T, float>()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), sum.As<T, double>()).As<double, T>();
}

internal readonly struct Vector256Ops<T> : IVectorOps<Vector256<T>, T>
{
    public static int Count => Vector256<T>.Count;

    public static int TileRows => 4;

    public static Vector256<T> Zero => Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref T at, nuint offset) => Vector256.LoadUnsafe(ref at, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> v, ref T at, nuint offset) => v.StoreUnsafe(ref at, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> x, Vector256<T> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> sum, bool fused)
        => !fused ? sum + (a * b)
            : typeof(T) == typeof(float) ? Vector256.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), sum.As<T, float>()).As<float, T>()
            : Vector256.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), sum.As<T, double>()).As<double, T>();
}
