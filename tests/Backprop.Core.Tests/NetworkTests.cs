using Backprop.Core.Examples;

namespace Backprop.Core.Tests;

/// <summary>Bad shapes are refused with the layer, both shapes and the orientation, before any arithmetic.</summary>
public class NetworkTests
{
    private static TrainingCase Example => WorkedExample.Case;

    [Fact]
    public void A_Transposed_Weight_Names_The_Layer_Both_Shapes_And_Out_By_In()
    {
        LayerParameters<double>[] p = Example.Parameters.ToArray();
        p[1] = p[1] with { Weight = p[1].Weight.Transpose() };
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(Example with { Parameters = p }))
            .Message.ShouldBe("layer 2: weight is 3×2 but the layer takes 3 inputs and has 2 units, so it must be 2×3 (out×in)");
    }

    [Fact]
    public void A_Bias_Of_The_Wrong_Length_Is_Refused()
    {
        LayerParameters<double>[] p = Example.Parameters.ToArray();
        p[0] = p[0] with { Bias = [1, 2] };
        Should.Throw<ArgumentException>(() => Trainer.Run<float>(Example with { Parameters = p }))
            .Message.ShouldBe("layer 1: bias has 2 elements but the layer has 3 units, so it must have 3");
    }

    [Fact]
    public void An_Input_In_Columns_Is_Refused_With_The_Orientation()
    {
        Batch<double> b = Example.Batches[0];
        var columns = new Batch<double>(new Matrix<double>(2, 3), b.Y);
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(Example with { Batches = [columns] }))
            .Message.ShouldBe("the input x is 2×3 but the network takes 2 inputs, so x must be 2×2 (one sample per row)");
    }

    [Fact]
    public void A_Target_Of_The_Wrong_Shape_Is_Refused()
    {
        Batch<double> b = Example.Batches[0];
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(Example with { Batches = [b with { Y = new Matrix<double>(1, 2) }] }))
            .Message.ShouldBe("the target y is 1×2 but x holds 2 samples and the network has 1 outputs, so y must be 2×1 (one sample per row)");
    }

    [Fact]
    public void Too_Few_Parameter_Sets_Are_Refused()
    {
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(Example with { Parameters = Example.Parameters.Take(2).ToArray() }))
            .Message.ShouldBe("the network has 3 layers but 2 sets of parameters were given");
    }

    [Fact]
    public void Zero_Steps_Are_Refused()
    {
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(Example with { Steps = 0 }))
            .Message.ShouldBe("a case must take at least 1 step, but asks for 0");
    }

    [Fact]
    public void The_Case_Is_Not_Changed_By_Training()
    {
        double before = Example.Parameters[0].Weight[0, 0];
        _ = Trainer.Run<double>(Example);
        Example.Parameters[0].Weight[0, 0].ShouldBe(before);
    }
}
