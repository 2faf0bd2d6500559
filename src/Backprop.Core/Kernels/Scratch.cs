using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Core.Kernels;

/// <summary>
/// Per-thread working buffers that only grow: the kernels' packed copies and the losses'
/// intermediate values. Unlike a shared pool, nothing trims them when the collector runs, so a
/// training step that has run once allocates nothing again. Each buffer has one user at a time on
/// its thread: <see cref="Panel"/> (Gemm's packed column panel of B), <see cref="Sums"/> (a register
/// tile's block sums, or a column sum's), <see cref="Loss"/> (a loss's log-probabilities or labels).
/// <para>
/// Each span starts on a 64-byte boundary (the arrays are pinned, so the boundary stays put): a
/// 512-bit load from a packed panel then never straddles two cache lines.
/// </para>
/// </summary>
internal static class Scratch<T>
{
    private const int Alignment = 64;

    [ThreadStatic]
    private static Buffer? panel;

    [ThreadStatic]
    private static Buffer? loss;

    [ThreadStatic]
    private static Buffer? sums;

    public static Span<T> Panel(int length) => Get(ref panel, length);

    public static Span<T> Loss(int length) => Get(ref loss, length);

    public static Span<T> Sums(int length) => Get(ref sums, length);

    private static Span<T> Get(ref Buffer? buffer, int length)
    {
        if (buffer is null || buffer.Capacity < length)
        {
            buffer = new Buffer(Math.Max(length, 2 * (buffer?.Capacity ?? 0)));
        }

        return buffer.Array.AsSpan(buffer.Offset, length);
    }

    private sealed class Buffer
    {
        public unsafe Buffer(int capacity)
        {
            if (RuntimeHelpers.IsReferenceOrContainsReferences<T>() || Alignment % Unsafe.SizeOf<T>() != 0)
            {
                (Array, Offset) = (new T[capacity], 0); // not a type the kernels vectorise: no alignment needed
            }
            else
            {
                int slack = Alignment / Unsafe.SizeOf<T>();
                Array = GC.AllocateArray<T>(capacity + slack, pinned: true);
                nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Array));
                Offset = (int)((Alignment - (address % Alignment)) % Alignment) / Unsafe.SizeOf<T>();
            }

            Capacity = capacity;
        }

        public T[] Array { get; }

        public int Offset { get; }

        public int Capacity { get; }
    }
}
