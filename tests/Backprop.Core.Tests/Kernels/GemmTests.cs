using Backprop.Core.Kernels;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Core.Tests.Kernels;

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
        Gemm.Multiply<double>(g.A, g.B, c, g.M, g.K, g.N);
        return c.SequenceEqual(Reference(a, b).Data).Classify(g.M == 1 || g.K == 1 || g.N == 1, "a size is 1");
    }

    [Property]
    public bool MultiplyTransposedB_Equals_Multiply_By_The_Transpose_Bitwise(GemmCase g)
    {
        double[] bt = new Matrix<double>(g.K, g.N, g.B).Transpose().Data; // n×k
        var c = new double[g.M * g.N];
        var expected = new double[g.M * g.N];
        Gemm.MultiplyTransposedB<double>(g.A, bt, c, g.M, g.K, g.N);
        Gemm.Multiply<double>(g.A, g.B, expected, g.M, g.K, g.N);
        return c.SequenceEqual(expected);
    }

    [Property]
    public bool MultiplyTransposedA_Equals_Multiply_Of_The_Transpose_Bitwise(GemmCase g)
    {
        double[] at = new Matrix<double>(g.M, g.K, g.A).Transpose().Data; // k×m
        var c = new double[g.M * g.N];
        var expected = new double[g.M * g.N];
        Gemm.MultiplyTransposedA<double>(at, g.B, c, g.M, g.K, g.N);
        Gemm.Multiply<double>(g.A, g.B, expected, g.M, g.K, g.N);
        return c.SequenceEqual(expected);
    }

    [Fact]
    public void Lengths_That_Do_Not_Fit_The_Sizes_Are_Refused_With_Both_Numbers()
    {
        Should.Throw<ArgumentException>(() => Gemm.Multiply<float>(new float[5], new float[6], new float[4], 2, 3, 2))
            .Message.ShouldStartWith("A must hold m·k = 2·3 = 6 elements, but holds 5");
        Should.Throw<ArgumentException>(() => Gemm.MultiplyTransposedB<float>(new float[6], new float[6], new float[3], 2, 3, 2))
            .Message.ShouldStartWith("C must hold m·n = 2·2 = 4 elements, but holds 3");
    }
}
