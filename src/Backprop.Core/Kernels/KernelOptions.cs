namespace Backprop.Core.Kernels;

/// <summary>How a kernel computes: plain scalar loops, or 256- or 512-bit vectors. Thread-safe: a value.</summary>
public enum SimdPath
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>
/// How the kernels run, held by whoever runs them (a <see cref="TrainingSession{T}"/>, a
/// benchmark) and passed down with every call. None of these settings changes a result's bits:
/// every element is the same sum or operation on every path and thread count. Thread-safe: immutable.
/// </summary>
public sealed record KernelOptions
{
    private readonly int threads = 1;
    private readonly long parallelThreshold = 1L << 22;

    /// <summary>One thread, the threshold measured here, the fastest path the machine has.</summary>
    public static KernelOptions Default { get; } = new();

    /// <summary>
    /// How many threads the kernels may use (default 1). A large product on the vector paths is
    /// split into one block of C's rows per thread, and a long update in <see cref="Fused"/> into
    /// as many parts. A product stays on the calling thread if it has fewer than
    /// <see cref="ParallelThreshold"/> multiply-adds and neither A nor C has 2¹⁶ elements.
    /// </summary>
    public int Threads
    {
        get => threads;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Threads));
            threads = value;
        }
    }

    /// <summary>
    /// m·k·n below which splitting a product across threads costs more than it saves. The default,
    /// 2²² multiply-adds, was measured here in whole training steps (see docs/performance.md): at
    /// 2²¹ two threads saved nothing, at 2²² a little, and at 64×784·784×256 (2²³·⁶) 1.7 times.
    /// </summary>
    public long ParallelThreshold
    {
        get => parallelThreshold;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(ParallelThreshold));
            parallelThreshold = value;
        }
    }

    /// <summary>The path to compute on; null (the default) for the fastest this machine has for the type (<see cref="Gemm.Best{T}"/>).</summary>
    public SimdPath? Path { get; init; }
}
