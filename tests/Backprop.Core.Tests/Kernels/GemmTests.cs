using Backprop.Core.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Core.Tests.Kernels;

/// <summary>The products against their definition on every path and thread count.</summary>
[Properties(MaxTest = 150, Arbitrary = [typeof(Arbitraries)])]
public class GemmTests
{
    /// <summary>
    /// The definition, written independently of the kernel (recursively, where the kernel carries
    /// as a binary counter): C[i,j] = Σₚ A[i,p]·B[p,j]. Up to 4 terms, p ascending, each product
    /// rounded and then added; longer, one fused multiply-add chain per block of 256 terms, p
    /// ascending from zero, and the block sums added pairwise, a run of blocks split where its
    /// first part is the largest power of two shorter than the run.
    /// </summary>
    internal static T[] Definition<T>(T[] a, T[] b, int m, int k, int n)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var c = new T[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T Term(int p) => a[(i * k) + p] * b[(p * n) + j];
                T Chain(int p0, int p1)
                {
                    T sum = T.Zero;
                    for (int p = p0; p < p1; p++)
                    {
                        sum = T.FusedMultiplyAdd(a[(i * k) + p], b[(p * n) + j], sum);
                    }

                    return sum;
                }

                if (k <= 4)
                {
                    T sum = T.Zero;
                    for (int p = 0; p < k; p++)
                    {
                        sum += Term(p);
                    }

                    c[(i * n) + j] = sum;
                }
                else
                {
                    T[] blocks = Enumerable.Range(0, (k + 255) / 256).Select(q => Chain(q * 256, Math.Min(k, (q + 1) * 256))).ToArray();
                    c[(i * n) + j] = Pairwise(blocks, 0, blocks.Length);
                }
            }
        }

        return c;
    }

    /// <summary>s[lo] + … + s[hi − 1], split where the first part is the largest power of two shorter than the run.</summary>
    internal static T Pairwise<T>(T[] s, int lo, int hi)
        where T : System.Numerics.INumberBase<T>
    {
        if (hi - lo == 1)
        {
            return s[lo];
        }

        int first = 1;
        while (first * 2 < hi - lo)
        {
            first *= 2;
        }

        return Pairwise(s, lo, lo + first) + Pairwise(s, lo + first, hi);
    }

    [Property]
    public Property Multiply_Is_The_Definition_Bitwise(GemmCase g)
    {
        var c = new double[g.M * g.N];
        Gemm.Multiply<double>(g.A, g.B, c, g.M, g.K, g.N, KernelOptions.Default);
        return c.SequenceEqual(Definition(g.A, g.B, g.M, g.K, g.N))
            .Classify(g.M == 1 || g.K == 1 || g.N == 1, "a size is 1")
            .Classify(g.K <= 4, "k ≤ 4: multiply, then add");
    }

    [Property]
    public bool MultiplyTransposedB_Equals_Multiply_By_The_Transpose_Bitwise(GemmCase g)
    {
        double[] bt = new Matrix<double>(g.K, g.N, g.B).Transpose().Data; // n×k
        var c = new double[g.M * g.N];
        var expected = new double[g.M * g.N];
        Gemm.MultiplyTransposedB<double>(g.A, bt, c, g.M, g.K, g.N, KernelOptions.Default);
        Gemm.Multiply<double>(g.A, g.B, expected, g.M, g.K, g.N, KernelOptions.Default);
        return c.SequenceEqual(expected);
    }

    [Property]
    public bool MultiplyTransposedA_Equals_Multiply_Of_The_Transpose_Bitwise(GemmCase g)
    {
        double[] at = new Matrix<double>(g.M, g.K, g.A).Transpose().Data; // k×m
        var c = new double[g.M * g.N];
        var expected = new double[g.M * g.N];
        Gemm.MultiplyTransposedA<double>(at, g.B, c, g.M, g.K, g.N, KernelOptions.Default);
        Gemm.Multiply<double>(g.A, g.B, expected, g.M, g.K, g.N, KernelOptions.Default);
        return c.SequenceEqual(expected);
    }

    /// <summary>Sizes that cross every SIMD width (4, 8 and 16 lanes, and the two-vector panels).</summary>
    private static readonly int[] Crossing = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65];

    public static TheoryData<int, int, int> CrossingShapes()
    {
        var shapes = new TheoryData<int, int, int>();
        foreach (int l in Crossing)
        {
            shapes.Add(l, 5, 7);
            shapes.Add(5, l, 7);
            shapes.Add(6, 7, l);
            shapes.Add(l, l, l);
        }

        // Fewer rows than a register tile beside wide panels, in C and (through Cᵀ) in Cᵀ.
        foreach (int rows in new[] { 1, 2, 3 })
        {
            shapes.Add(rows, 5, 70);
            shapes.Add(70, 5, rows);
        }

        // Inner lengths either side of the unfused limit (4) and of one, two and five blocks of
        // 256, on rows that take every tile height (8 + 4 + 1) and columns that take wide and
        // single-vector panels and a scalar tail.
        foreach (int k in new[] { 4, 5, 255, 256, 257, 512, 513, 1025, 1281 })
        {
            shapes.Add(13, k, 35);
            shapes.Add(13, k, 50);
        }

        return shapes;
    }

    private static T[] Values<T>(Random random, int count)
        where T : System.Numerics.IFloatingPointIeee754<T>
        => Enumerable.Range(0, count).Select(_ => T.CreateTruncating((random.NextDouble() * 4) - 2)).ToArray();

    private static T[] Transpose<T>(T[] x, int rows, int cols)
    {
        var t = new T[x.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                t[(c * rows) + r] = x[(r * cols) + c];
            }
        }

        return t;
    }

    internal static void EveryPathIsTheDefinition<T>(int m, int k, int n, KernelOptions options)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random((m * 10007) + (k * 101) + n);
        T[] a = Values<T>(random, m * k), b = Values<T>(random, k * n);
        T[] expected = Definition(a, b, m, k, n);
        // C lives inside a larger array whose guard elements on both sides must stay untouched:
        // the vector stores are unchecked, so this is where an overrun would show.
        const int Guard = 64;
        T sentinel = T.CreateTruncating(99);
        var guarded = new T[(m * n) + (2 * Guard)];
        void Check(string what)
        {
            guarded.AsSpan(Guard, m * n).ToArray().ShouldBe(expected, what);
            guarded.AsSpan(0, Guard).ToArray().All(v => v == sentinel).ShouldBeTrue($"{what}: wrote before C");
            guarded.AsSpan(Guard + (m * n)).ToArray().All(v => v == sentinel).ShouldBeTrue($"{what}: wrote past C");
        }

        foreach (SimdPath path in Gemm.Supported<T>())
        {
            KernelOptions on = options with { Path = path };
            string where = $"on the {path} path, {options.Threads} thread(s)";
            Array.Fill(guarded, sentinel); // every element of C must be written, too
            Gemm.Multiply<T>(a, b, guarded.AsSpan(Guard, m * n), m, k, n, on);
            Check($"A·B {where}, {m}×{k}·{k}×{n}");
            Array.Fill(guarded, sentinel);
            Gemm.MultiplyTransposedB<T>(a, Transpose(b, k, n), guarded.AsSpan(Guard, m * n), m, k, n, on);
            Check($"A·Bᵀ {where}, {m}×{k}·({n}×{k})ᵀ");
            Array.Fill(guarded, sentinel);
            Gemm.MultiplyTransposedA<T>(Transpose(a, m, k), b, guarded.AsSpan(Guard, m * n), m, k, n, on);
            Check($"Aᵀ·B {where}, ({k}×{m})ᵀ·{k}×{n}");
        }
    }

    [Theory]
    [MemberData(nameof(CrossingShapes))]
    public void Every_Path_Is_The_Definition_Bitwise_At_Sizes_Crossing_Every_Simd_Width(int m, int k, int n)
    {
        EveryPathIsTheDefinition<float>(m, k, n, KernelOptions.Default);
        EveryPathIsTheDefinition<double>(m, k, n, KernelOptions.Default);
    }

    [Fact]
    public void This_Machine_Runs_The_Vector_Paths_The_Tests_Compare()
    {
        // On a machine without AVX-512 the 512-bit path is not compared; say which ran.
        Gemm.Supported<float>().ShouldContain(SimdPath.Scalar);
        Gemm.Supported<Half>().ShouldBe([SimdPath.Scalar]);
        Should.Throw<NotSupportedException>(() => Gemm.Multiply<Half>(new Half[1], new Half[1], new Half[1], 1, 1, 1, new KernelOptions { Path = SimdPath.Vector256 }))
            .Message.ShouldBe("the Vector256 path is not available here for Half; the best is Scalar");
    }

    [Fact]
    public void Lengths_That_Do_Not_Fit_The_Sizes_Are_Refused_With_Both_Numbers()
    {
        Should.Throw<ArgumentException>(() => Gemm.Multiply<float>(new float[5], new float[6], new float[4], 2, 3, 2, KernelOptions.Default))
            .Message.ShouldStartWith("A must hold m·k = 2·3 = 6 elements, but holds 5");
        Should.Throw<ArgumentException>(() => Gemm.MultiplyTransposedB<float>(new float[6], new float[6], new float[3], 2, 3, 2, KernelOptions.Default))
            .Message.ShouldStartWith("C must hold m·n = 2·2 = 4 elements, but holds 3");
    }
}
