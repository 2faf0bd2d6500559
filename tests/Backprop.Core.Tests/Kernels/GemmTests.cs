using Backprop.Core.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Core.Tests.Kernels;

/// <summary>The products against their definition on every path and thread count.</summary>
[Properties(MaxTest = 150, Arbitrary = [typeof(Arbitraries)])]
public class GemmTests
{
    /// <summary>The definition, written independently of the kernel: C[i,j] = Σₚ A[i,p]·B[p,j], p ascending.</summary>
    private static Matrix<double> Reference(Matrix<double> a, Matrix<double> b)
    {
        var c = new Matrix<double>(a.Rows, b.Cols);
        for (int i = 0; i < a.Rows; i++)
        {
            for (int j = 0; j < b.Cols; j++)
            {
                double sum = 0;
                for (int p = 0; p < a.Cols; p++)
                {
                    sum += a[i, p] * b[p, j];
                }

                c[i, j] = sum;
            }
        }

        return c;
    }

    [Property]
    public Property Multiply_Is_The_Definition_Bitwise(GemmCase g)
    {
        var a = new Matrix<double>(g.M, g.K, g.A);
        var b = new Matrix<double>(g.K, g.N, g.B);
        var c = new double[g.M * g.N];
        Gemm.Multiply<double>(g.A, g.B, c, g.M, g.K, g.N, KernelOptions.Default);
        return c.SequenceEqual(Reference(a, b).Data).Classify(g.M == 1 || g.K == 1 || g.N == 1, "a size is 1");
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

        return shapes;
    }

    /// <summary>The definition in T's own arithmetic, p ascending, multiply then add.</summary>
    private static T[] Definition<T>(T[] a, T[] b, int m, int k, int n)
        where T : System.Numerics.INumberBase<T>
    {
        var c = new T[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    sum += a[(i * k) + p] * b[(p * n) + j];
                }

                c[(i * n) + j] = sum;
            }
        }

        return c;
    }

    private static T[] Values<T>(Random random, int count)
        where T : System.Numerics.INumberBase<T>
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
        where T : System.Numerics.INumberBase<T>
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
        Gemm.Supported<decimal>().ShouldBe([SimdPath.Scalar]);
        Should.Throw<NotSupportedException>(() => Gemm.Multiply<decimal>(new decimal[1], new decimal[1], new decimal[1], 1, 1, 1, new KernelOptions { Path = SimdPath.Vector256 }))
            .Message.ShouldBe("the Vector256 path is not available here for Decimal; the best is Scalar");
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
