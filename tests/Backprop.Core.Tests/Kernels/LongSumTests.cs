using Backprop.Core.Kernels;
using Backprop.Core.Losses;

namespace Backprop.Core.Tests.Kernels;

/// <summary>
/// Long float32 sums against their exact value (a float64 sum of the same float32 terms, exact
/// here to far below float32's precision): a product's inner sum, a bias gradient's column sum
/// and a loss's reduction, from 2¹⁶ to 2²¹ terms. The bound, 1e-5 relative, is the issue's goal;
/// a plain ascending loop misses it by far on equal terms (the last test shows by how much).
/// </summary>
public class LongSumTests
{
    private const double Bound = 1e-5;

    public static TheoryData<int> Lengths => new(1 << 16, (1 << 16) + 77, 1 << 18, 1 << 21);

    /// <summary>Equal terms (0.5·1e-6 each, the issue's example) and random positive ones.</summary>
    private static (float[] A, float[] B) Terms(int length, bool equal)
    {
        if (equal)
        {
            return (Enumerable.Repeat(0.5f, length).ToArray(), Enumerable.Repeat(1e-6f, length).ToArray());
        }

        var random = new Random(length);
        return (Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray(),
                Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray());
    }

    private static double Exact(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    private static void ShouldBeWithinBound(double actual, double exact, string what)
        => Math.Abs(actual - exact).ShouldBeLessThanOrEqualTo(Bound * Math.Abs(exact), $"{what}: {actual} against the exact {exact}, relative error {Math.Abs(actual - exact) / Math.Abs(exact):E2}");

    [Theory]
    [MemberData(nameof(Lengths))]
    public void A_Dot_Product_Of_Float32_Terms_Is_Within_1e5_Of_The_Exact_Sum(int length)
    {
        foreach (bool equal in new[] { true, false })
        {
            (float[] a, float[] b) = Terms(length, equal);
            double exact = Exact(a, b);
            foreach (SimdPath path in Gemm.Supported<float>())
            {
                var c = new float[1];
                Gemm.Multiply<float>(a, b, c, 1, length, 1, new KernelOptions { Path = path });
                ShouldBeWithinBound(c[0], exact, $"{(equal ? "equal" : "random")} terms, {length}, {path}");
            }
        }
    }

    [Fact]
    public void The_Vector_Tiles_Keep_The_Bound_At_2_To_The_16()
    {
        // Sixteen columns of B: every vector path computes them in a register tile, not the scalar tail.
        const int Length = 1 << 16, Columns = 16;
        (float[] a, float[] column) = Terms(Length, equal: true);
        var b = new float[Length * Columns];
        for (int p = 0; p < Length; p++)
        {
            Array.Fill(b, column[p], p * Columns, Columns);
        }

        double exact = Exact(a, column);
        foreach (SimdPath path in Gemm.Supported<float>())
        {
            var c = new float[Columns];
            Gemm.Multiply<float>(a, b, c, 1, Length, Columns, new KernelOptions { Path = path });
            foreach (float element in c)
            {
                ShouldBeWithinBound(element, exact, $"{path}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void A_Bias_Gradient_Over_Many_Samples_Is_Within_1e5_Of_The_Exact_Sum(int samples)
    {
        // ∂J/∂b sums ∂J/∂Z over the samples: down the rows of an n×3 matrix, or along a 3×n one.
        (float[] terms, _) = Terms(samples, equal: true);
        double exact = terms.Sum(t => (double)t);
        var rows = new float[samples * 3];
        for (int i = 0; i < samples; i++)
        {
            rows[(3 * i) + 1] = terms[i];
        }

        var sums = new float[3];
        RowOps.ColumnSums<float>(rows, sums, samples, 3, KernelOptions.Default);
        ShouldBeWithinBound(sums[1], exact, "column sums");

        RowOps.RowSums<float>(terms, sums.AsSpan(0, 1), 1, samples);
        ShouldBeWithinBound(sums[0], exact, "row sums");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void A_Loss_Over_Many_Elements_Is_Within_1e5_Of_The_Exact_Sum(int elements)
    {
        // Σ (ŷ − y)², every difference the same: mse_loss with reduction sum.
        var output = new Matrix<float>(elements, 1, Enumerable.Repeat(0.001f, elements).ToArray());
        var target = new Matrix<float>(elements, 1);
        double exact = elements * (double)(0.001f * 0.001f);
        float cost = new MseLoss(Reduction.Sum).Cost(output, target, TargetKind.Values, SampleAxis.Rows);
        ShouldBeWithinBound(cost, exact, "mse_loss, sum");
    }

    [Fact]
    public void A_Plain_Ascending_Loop_Misses_The_Bound_On_The_Same_Terms()
    {
        // The tests above have teeth: the order they replaced is far outside their bound.
        (float[] a, float[] b) = Terms(1 << 16, equal: true);
        float sum = 0;
        for (int p = 0; p < a.Length; p++)
        {
            sum += a[p] * b[p];
        }

        double exact = Exact(a, b);
        (Math.Abs(sum - exact) / exact).ShouldBeGreaterThan(10 * Bound);
    }
}
