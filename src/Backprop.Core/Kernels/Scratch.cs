namespace Backprop.Core.Kernels;

/// <summary>
/// Per-thread working buffers that only grow: the kernels' packed copies and the losses'
/// intermediate values. Unlike a shared pool, nothing trims them when the collector runs, so a
/// training step that has run once allocates nothing again. Each buffer has one user at a time on
/// its thread: <see cref="Transposed"/> (Gemm's A·Bᵀ), <see cref="Panel"/> (a column panel of B, used
/// inside that product), <see cref="Loss"/> (a loss's log-probabilities or labels).
/// </summary>
internal static class Scratch<T>
{
    [ThreadStatic]
    private static T[]? transposed;

    [ThreadStatic]
    private static T[]? panel;

    [ThreadStatic]
    private static T[]? loss;

    public static Span<T> Transposed(int length) => Get(ref transposed, length);

    public static Span<T> Panel(int length) => Get(ref panel, length);

    public static Span<T> Loss(int length) => Get(ref loss, length);

    private static Span<T> Get(ref T[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new T[Math.Max(length, 2 * (buffer?.Length ?? 0))];
        }

        return buffer.AsSpan(0, length);
    }
}
