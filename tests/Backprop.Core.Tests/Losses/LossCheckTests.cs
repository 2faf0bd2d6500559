using Backprop.Core.Losses;

namespace Backprop.Core.Tests.Losses;

/// <summary>
/// Every loss checks its target and its gradient buffer before it reads them, even where the
/// element counts agree (a transposed target), with the same words in the cost and the gradient.
/// </summary>
public class LossCheckTests
{
    public static TheoryData<string> ElementwiseLosses => new("binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss");

    private static Matrix<double> Filled(int rows, int cols, double value) => new(rows, cols, Enumerable.Repeat(value, rows * cols).ToArray());

    [Theory]
    [MemberData(nameof(ElementwiseLosses))]
    public void A_Target_Of_Another_Shape_Is_Refused_By_Cost_And_Gradient(string name)
    {
        Loss loss = Vocabulary.Loss(name)!.Default;
        Matrix<double> output = Filled(2, 3, 0.5), transposed = Filled(3, 2, 0.5), gradient = Filled(2, 3, 0);
        const string Message = "the target is 3×2 but the network's output is 2×3; they must have the same shape";
        Should.Throw<ArgumentException>(() => loss.Cost(output, transposed, TargetKind.Values, SampleAxis.Rows)).Message.ShouldBe(Message);
        Should.Throw<ArgumentException>(() => loss.Gradient(output, transposed, gradient, TargetKind.Values, SampleAxis.Rows)).Message.ShouldBe(Message);
    }

    [Theory]
    [MemberData(nameof(ElementwiseLosses))]
    public void Class_Indices_Are_Refused_By_Cost_And_Gradient(string name)
    {
        Loss loss = Vocabulary.Loss(name)!.Default;
        Matrix<double> output = Filled(2, 1, 0.5), indices = Filled(2, 1, 0), gradient = Filled(2, 1, 0);
        string message = $"{name} takes targets shaped like the output, not class indices";
        Should.Throw<ArgumentException>(() => loss.Cost(output, indices, TargetKind.ClassIndices, SampleAxis.Rows)).Message.ShouldBe(message);
        Should.Throw<ArgumentException>(() => loss.Gradient(output, indices, gradient, TargetKind.ClassIndices, SampleAxis.Rows)).Message.ShouldBe(message);
    }

    [Theory]
    [MemberData(nameof(ElementwiseLosses))]
    [InlineData("cross_entropy")]
    public void A_Gradient_Buffer_Of_Another_Shape_Is_Refused(string name)
    {
        Loss loss = Vocabulary.Loss(name)!.Default;
        Matrix<double> output = Filled(2, 3, 0.5), target = Filled(2, 3, 0.5);
        Should.Throw<ArgumentException>(() => loss.Gradient(output, target, Filled(3, 2, 0), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("the gradient is 3×2 but the network's output is 2×3; they must have the same shape");
        Should.Throw<ArgumentException>(() => loss.Gradient(output, target, Filled(2, 4, 0), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("the gradient is 2×4 but the network's output is 2×3; they must have the same shape");
    }

    [Fact]
    public void Bce_Refuses_An_Input_Outside_0_1_In_The_Gradient_As_In_The_Cost()
    {
        var bce = new BinaryCrossEntropy();
        Matrix<double> output = Filled(1, 2, 0.5), target = Filled(1, 2, 1);
        output[0, 1] = 1.5;
        Should.Throw<ArgumentException>(() => bce.Gradient(output, target, Filled(1, 2, 0), TargetKind.Values, SampleAxis.Rows)).Message.ShouldBe("all elements of input should be between 0 and 1");
        output[0, 1] = double.NaN;
        Should.Throw<ArgumentException>(() => bce.Cost(output, target, TargetKind.Values, SampleAxis.Rows)).Message.ShouldBe("all elements of input should be between 0 and 1");
    }
}
