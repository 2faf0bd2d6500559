using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>
/// The few operations the panel kernels need from a vector type, so that one kernel serves
/// <see cref="Vector512{T}"/> and <see cref="Vector256{T}"/> (the runtime gives them no common
/// interface). The implementations are empty structs: a kernel generic over one is compiled once
/// per vector type, with every call inlined, the same machine code as a kernel written for it.
/// </summary>
internal interface IVectorOps<TVector, T>
    where TVector : struct
{
    /// <summary>Lanes in one vector.</summary>
    static abstract int Count { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Broadcast(T value);

    static abstract TVector Load(ref T at, nuint offset);

    static abstract void Store(TVector v, ref T at, nuint offset);

    /// <summary>sum + a·b, the product rounded and then added.</summary>
    static abstract TVector MultiplyAdd(TVector sum, TVector a, TVector b);
}

internal readonly struct Vector512Ops<T> : IVectorOps<Vector512<T>, T>
{
    public static int Count => Vector512<T>.Count;

    public static Vector512<T> Zero => Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref T at, nuint offset) => Vector512.LoadUnsafe(ref at, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> v, ref T at, nuint offset) => v.StoreUnsafe(ref at, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> sum, Vector512<T> a, Vector512<T> b) => sum + (a * b);
}

internal readonly struct Vector256Ops<T> : IVectorOps<Vector256<T>, T>
{
    public static int Count => Vector256<T>.Count;

    public static Vector256<T> Zero => Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref T at, nuint offset) => Vector256.LoadUnsafe(ref at, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> v, ref T at, nuint offset) => v.StoreUnsafe(ref at, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> sum, Vector256<T> a, Vector256<T> b) => sum + (a * b);
}
