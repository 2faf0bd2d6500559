using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

public class RowOpsTests
{
    [Fact]
    public void AddToEveryRow_Broadcasts_The_Vector_Over_Rows()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        RowOps.AddToEveryRow<double>(x, [10, 20, 30], 2, 3);
        x.ShouldBe([11, 22, 33, 14, 25, 36]);
    }

    [Fact]
    public void ColumnSums_Sums_Every_Row_And_Overwrites_The_Output()
    {
        double[] sums = [99, 99];
        RowOps.ColumnSums<double>([1, 2, 3, 4, 5, 6], sums, 3, 2);
        sums.ShouldBe([9, 12]);
    }

    [Fact]
    public void A_Vector_Of_The_Wrong_Length_Is_Refused()
    {
        Should.Throw<ArgumentException>(() => RowOps.ColumnSums<double>(new double[6], new double[3], 3, 2))
            .Message.ShouldStartWith("sums must hold n = 2 elements, but holds 3");
    }
}
