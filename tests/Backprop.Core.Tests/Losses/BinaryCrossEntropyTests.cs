using Backprop.Core.Losses;

namespace Backprop.Core.Tests.Losses;

public class BinaryCrossEntropyTests
{
    private static Matrix<double> Column(params double[] values) => new(values.Length, 1, values);

    [Fact]
    public void Certain_And_Wrong_Costs_100_Per_Element_Because_Log_Is_Clamped_At_Minus_100()
    {
        var bce = new BinaryCrossEntropy(Reduction.Sum);
        bce.Cost(Column(0.0, 1.0), Column(1.0, 0.0), TargetKind.Values, SampleAxis.Rows).ShouldBe(200.0);
        bce.Cost(Column(0f, 1f).Convert<float>(), Column(1.0, 0.0).Convert<float>(), TargetKind.Values, SampleAxis.Rows).ShouldBe(200f);
    }

    [Fact]
    public void Certain_And_Right_Costs_Exactly_Zero()
    {
        new BinaryCrossEntropy().Cost(Column(0.0, 1.0), Column(0.0, 1.0), TargetKind.Values, SampleAxis.Rows).ShouldBe(0.0);
    }

    [Fact]
    public void Gradient_Divides_By_Epsilon_At_The_Ends_Instead_Of_By_Zero()
    {
        var gradient = new Matrix<double>(2, 1);
        new BinaryCrossEntropy(Reduction.Sum).Gradient(Column(0.0, 1.0), Column(1.0, 0.0), gradient, TargetKind.Values, SampleAxis.Rows);
        // libtorch's EPSILON is the float 1e-12, also in float64 kernels.
        gradient.Data.ShouldBe([-1 / (double)1e-12f, 1 / (double)1e-12f]);
    }

    [Fact]
    public void Mean_Gradient_Is_Sum_Gradient_Divided_By_Element_Count()
    {
        Matrix<double> x = Column(0.2, 0.7, 0.9), y = Column(0, 1, 1);
        var mean = new Matrix<double>(3, 1);
        var sum = new Matrix<double>(3, 1);
        new BinaryCrossEntropy(Reduction.Mean).Gradient(x, y, mean, TargetKind.Values, SampleAxis.Rows);
        new BinaryCrossEntropy(Reduction.Sum).Gradient(x, y, sum, TargetKind.Values, SampleAxis.Rows);
        mean.Data.ShouldBe(sum.Data.Select(g => g / 3).ToArray());
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Input_Outside_0_1_Gets_PyTorchs_Error(double x)
    {
        var bce = new BinaryCrossEntropy();
        Should.Throw<ArgumentException>(() => bce.Cost(Column(0.5, x), Column(0, 1), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("all elements of input should be between 0 and 1");
    }

    [Fact]
    public void Target_Outside_0_1_Gets_PyTorchs_Error()
    {
        Should.Throw<ArgumentException>(() => new BinaryCrossEntropy().Cost(Column(0.5), Column(2), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("all elements of target should be between 0 and 1");
    }

    [Fact]
    public void Target_Of_Another_Shape_Is_Refused_With_Both_Shapes()
    {
        Should.Throw<ArgumentException>(() => new BinaryCrossEntropy().Cost(Column(0.5, 0.5), new Matrix<double>(1, 2), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldContain("target is 1×2 but the network's output is 2×1");
    }

    [Fact]
    public void Scale_Multiplies_Cost_And_Gradient()
    {
        Matrix<double> x = Column(0.25, 0.75), y = Column(0, 1);
        var g1 = new Matrix<double>(2, 1);
        var g2 = new Matrix<double>(2, 1);
        new BinaryCrossEntropy(Reduction.Mean, 1).Gradient(x, y, g1, TargetKind.Values, SampleAxis.Rows);
        new BinaryCrossEntropy(Reduction.Mean, 2).Gradient(x, y, g2, TargetKind.Values, SampleAxis.Rows);
        new BinaryCrossEntropy(Reduction.Mean, 2).Cost(x, y, TargetKind.Values, SampleAxis.Rows).ShouldBe(2 * new BinaryCrossEntropy().Cost(x, y, TargetKind.Values, SampleAxis.Rows));
        g2.Data.ShouldBe(g1.Data.Select(g => 2 * g).ToArray()); // exact: scaling by 2 is exact
    }
}
