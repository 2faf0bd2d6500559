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
    /// columns (sb.Row = 1: the A·Bᵀ routes), which is read across by transposing in registers. Only
    /// the vector paths pack, and on x64 they need AVX2, which has the shuffles and gathers.
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
            Transposed(Cast<T, float>(b), sb.Col, k, j, width, Cast<T, float>(pack));
        }
        else
        {
            Transposed(Cast<T, double>(b), sb.Col, k, j, width, Cast<T, double>(pack));
        }
    }

    /// <summary>
    /// A transposed panel, for B stored by columns (B(p, j) = b[p + j·step]): eight rows p of eight
    /// columns at a time are loaded along the columns (eight 256-bit loads) and transposed in
    /// registers; the last k mod 8 rows by gathers (one instruction for element p of 8 columns).
    /// Measured on the AMD EPYC (Zen 5): the MNIST forward product's two panels (784×32 each) took
    /// about 4 µs to pack this way, 21 µs by gathers alone.
    /// </summary>
    private static unsafe void Transposed(ReadOnlySpan<float> b, int step, int k, int j, int width, Span<float> pack)
    {
        Vector256<int> columns = Vector256<int>.Indices * step;
        fixed (float* pb = b, pp = pack)
        {
            for (int q = 0; q < width; q += 8)
            {
                float* first = pb + ((j + q) * step);
                int p = 0;
                for (; p + 8 <= k; p += 8)
                {
                    float* at = first + p;
                    Transpose8x8(
                        Avx.LoadVector256(at), Avx.LoadVector256(at + step), Avx.LoadVector256(at + (2 * step)), Avx.LoadVector256(at + (3 * step)),
                        Avx.LoadVector256(at + (4 * step)), Avx.LoadVector256(at + (5 * step)), Avx.LoadVector256(at + (6 * step)), Avx.LoadVector256(at + (7 * step)),
                        pp + (p * width) + q, width);
                }

                for (; p < k; p++)
                {
                    Avx2.GatherVector256(first + p, columns, sizeof(float)).Store(pp + (p * width) + q);
                }
            }
        }
    }

    /// <summary>Stores the transpose of the 8×8 block with rows r0 … r7: element s of row t goes to to[s·step + t].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        float* to, int step)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(to, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(to + step, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(to + (2 * step), Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(to + (3 * step), Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(to + (4 * step), Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(to + (5 * step), Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(to + (6 * step), Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(to + (7 * step), Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>The same for double: four rows of four columns per transpose.</summary>
    private static unsafe void Transposed(ReadOnlySpan<double> b, int step, int k, int j, int width, Span<double> pack)
    {
        Vector128<int> columns = Vector128<int>.Indices * step;
        fixed (double* pb = b, pp = pack)
        {
            for (int q = 0; q < width; q += 4)
            {
                double* first = pb + ((j + q) * step);
                int p = 0;
                for (; p + 4 <= k; p += 4)
                {
                    double* at = first + p;
                    Vector256<double> r0 = Avx.LoadVector256(at), r1 = Avx.LoadVector256(at + step);
                    Vector256<double> r2 = Avx.LoadVector256(at + (2 * step)), r3 = Avx.LoadVector256(at + (3 * step));
                    Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
                    Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                    double* to = pp + (p * width) + q;
                    Avx.Store(to, Avx.Permute2x128(t0, t2, 0x20));
                    Avx.Store(to + width, Avx.Permute2x128(t1, t3, 0x20));
                    Avx.Store(to + (2 * width), Avx.Permute2x128(t0, t2, 0x31));
                    Avx.Store(to + (3 * width), Avx.Permute2x128(t1, t3, 0x31));
                }

                for (; p < k; p++)
                {
                    Avx2.GatherVector256(first + p, columns, sizeof(double)).Store(pp + (p * width) + q);
                }
            }
        }
    }
}
