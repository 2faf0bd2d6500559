using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

public class RowOpsTests
{
    [Fact]
    public void AddToEveryRow_Broadcasts_The_Vector_Over_Rows()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        RowOps.AddToEveryRow<double>(x, [10, 20, 30], 2, 3, KernelOptions.Default);
        x.ShouldBe([11, 22, 33, 14, 25, 36]);
    }

    [Fact]
    public void ColumnSums_Sums_Every_Row_And_Overwrites_The_Output()
    {
        double[] sums = [99, 99];
        RowOps.ColumnSums<double>([1, 2, 3, 4, 5, 6], sums, 3, 2, KernelOptions.Default);
        sums.ShouldBe([9, 12]);
    }

    [Fact]
    public void A_Vector_Of_The_Wrong_Length_Is_Refused()
    {
        Should.Throw<ArgumentException>(() => RowOps.ColumnSums<double>(new double[6], new double[3], 3, 2, KernelOptions.Default))
            .Message.ShouldStartWith("sums must hold n = 2 elements, but holds 3");
    }

    /// <summary>Widths that cross every vector width; row counts either side of one and two blocks of 256.</summary>
    public static TheoryData<int, int> Shapes()
    {
        var shapes = new TheoryData<int, int>();
        foreach (int n in new[] { 1, 7, 16, 17, 33, 65 })
        {
            foreach (int m in new[] { 1, 3, 255, 256, 257, 513, 1100 })
            {
                shapes.Add(m, n);
            }
        }

        return shapes;
    }

    private static void EveryPathIsTheDefinition<T>(int m, int n)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random((m * 131) + n);
        T[] x = Enumerable.Range(0, m * n).Select(_ => T.CreateTruncating(random.NextDouble() - 0.3)).ToArray();
        T[] v = Enumerable.Range(0, Math.Max(m, n)).Select(_ => T.CreateTruncating(random.NextDouble())).ToArray();

        // The definitions, element by element: the sums in Summation's order (blocks of 256
        // rows from row 0 down, the block sums pairwise), the broadcasts one addition each.
        var columnSums = new T[n];
        for (int j = 0; j < n; j++)
        {
            T[] blocks = Enumerable.Range(0, Math.Max(1, (m + 255) / 256)).Select(q =>
            {
                T sum = T.Zero;
                for (int i = q * 256; i < Math.Min(m, (q + 1) * 256); i++)
                {
                    sum += x[(i * n) + j];
                }

                return sum;
            }).ToArray();
            columnSums[j] = GemmTests.Pairwise(blocks, 0, blocks.Length);
        }

        T[] rowsPlusV = x.Select((e, k) => e + v[k % n]).ToArray();
        T[] rowsPlusVi = x.Select((e, k) => e + v[k / n]).ToArray();
        T[] transposed = new T[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                transposed[(j * m) + i] = x[(i * n) + j];
            }
        }

        foreach (SimdPath path in Gemm.Supported<T>())
        {
            var options = new KernelOptions { Path = path };
            string what = $"{typeof(T).Name} {m}×{n} on the {path} path";
            var sums = new T[n];
            RowOps.ColumnSums<T>(x, sums, m, n, options);
            sums.ShouldBe(columnSums, what);

            // The columns layout sums the same numbers along rows: the same bits.
            var rowSums = new T[n];
            RowOps.RowSums<T>(transposed, rowSums, n, m);
            rowSums.ShouldBe(columnSums, $"{what}, row sums of the transpose");

            T[] y = (T[])x.Clone();
            RowOps.AddToEveryRow<T>(y, v.AsSpan(0, n), m, n, options);
            y.ShouldBe(rowsPlusV, what);
            y = (T[])x.Clone();
            RowOps.AddToEveryColumn<T>(y, v.AsSpan(0, m), m, n, options);
            y.ShouldBe(rowsPlusVi, what);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_Path_Is_The_Definition_Bitwise(int m, int n)
    {
        EveryPathIsTheDefinition<float>(m, n);
        EveryPathIsTheDefinition<double>(m, n);
    }
}
