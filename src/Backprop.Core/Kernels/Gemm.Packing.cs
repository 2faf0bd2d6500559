using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Core.Kernels;

/// <summary>The column panels of B, copied into contiguous memory before the vector tiles read them.</summary>
public static partial class Gemm
{
    /// <summary>
    /// Copies B's columns [j, j + width) into <paramref name="pack"/>, row p at p·width. B is
    /// either stored by rows (sb.Col = 1), whose rows are far apart (n elements, and with n a power
    /// of two, 256 here, a panel read in place crowds a few cache sets), or stored transposed, by
    /// columns (sb.Row = 1: the A·Bᵀ routes), which only gathers can read across. Only the vector
    /// paths pack, and on x64 they need AVX2, which has the gathers.
    /// </summary>
    private static void Pack<T>(ReadOnlySpan<T> b, Stride sb, int k, int j, int width, Span<T> pack)
        where T : unmanaged
    {
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rp = ref MemoryMarshal.GetReference(pack);
        if (sb.Col == 1)
        {
            // Row by row, 256 bits at a time: a panel's width is one or two vectors of at least that.
            int bytes = width * Unsafe.SizeOf<T>();
            for (int p = 0; p < k; p++)
            {
                ref byte from = ref Unsafe.As<T, byte>(ref Unsafe.Add(ref rb, sb.Of(p, j)));
                ref byte to = ref Unsafe.As<T, byte>(ref Unsafe.Add(ref rp, p * width));
                for (int offset = 0; offset < bytes; offset += Vector256<byte>.Count)
                {
                    Vector256.LoadUnsafe(ref from, (nuint)offset).StoreUnsafe(ref to, (nuint)offset);
                }
            }
        }
        else if (typeof(T) == typeof(float))
        {
            Gather(Cast<T, float>(b), sb.Col, k, j, width, Cast<T, float>(pack));
        }
        else
        {
            Gather(Cast<T, double>(b), sb.Col, k, j, width, Cast<T, double>(pack));
        }
    }

    /// <summary>
    /// A transposed panel by 256-bit gathers, for B stored by columns (B(p, j) = b[p + j·step]):
    /// pack row p, columns q … q + 7, comes from element p of 8 columns in one instruction.
    /// </summary>
    private static unsafe void Gather(ReadOnlySpan<float> b, int step, int k, int j, int width, Span<float> pack)
    {
        Vector256<int> columns = Vector256<int>.Indices * step;
        fixed (float* pb = b, pp = pack)
        {
            for (int q = 0; q < width; q += Vector256<float>.Count)
            {
                float* first = pb + ((j + q) * step);
                for (int p = 0; p < k; p++)
                {
                    Avx2.GatherVector256(first + p, columns, sizeof(float)).Store(pp + (p * width) + q);
                }
            }
        }
    }

    /// <summary>The same for double: 4 columns per gather.</summary>
    private static unsafe void Gather(ReadOnlySpan<double> b, int step, int k, int j, int width, Span<double> pack)
    {
        Vector128<int> columns = Vector128<int>.Indices * step;
        fixed (double* pb = b, pp = pack)
        {
            for (int q = 0; q < width; q += Vector256<double>.Count)
            {
                double* first = pb + ((j + q) * step);
                for (int p = 0; p < k; p++)
                {
                    Avx2.GatherVector256(first + p, columns, sizeof(double)).Store(pp + (p * width) + q);
                }
            }
        }
    }
}
