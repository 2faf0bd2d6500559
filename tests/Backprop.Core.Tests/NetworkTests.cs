using Backprop.Verification;

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
        var columns = new Batch<double>(new Matrix<double>(2, 3), b.Y, TargetKind.Values);
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(Example with { Batches = [columns] }))
            .Message.ShouldBe("x: layout samples=rows expects n×2 (samples×features), got 2×3");
    }

    [Fact]
    public void A_Target_Of_The_Wrong_Shape_Is_Refused()
    {
        Batch<double> b = Example.Batches[0];
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(Example with { Batches = [b with { Y = new Matrix<double>(1, 2) }] }))
            .Message.ShouldBe("y: layout samples=rows expects 2×1 (2 samples of the network's 1 outputs), got 1×2");
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

    [Fact]
    public void Samples_In_Columns_Must_Be_Features_By_Samples()
    {
        TrainingCase columns = Example.InLayout(Layout.ColumnsOutIn);
        var rows = new Batch<double>(new Matrix<double>(4, 2), columns.Batches[0].Y, TargetKind.Values);
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(columns with { Batches = [rows] }))
            .Message.ShouldBe("x: layout samples=columns expects 2×n (features×samples), got 4×2");
    }

    [Fact]
    public void In_Out_Weights_Name_Their_Orientation()
    {
        TrainingCase inOut = Example.InLayout(Layout.RowsInOut);
        LayerParameters<double>[] p = inOut.Parameters.ToArray();
        p[0] = p[0] with { Weight = p[0].Weight.Transpose() };
        Should.Throw<ArgumentException>(() => Trainer.Run<double>(inOut with { Parameters = p }))
            .Message.ShouldBe("layer 1: weight is 3×2 but the layer takes 2 inputs and has 3 units, so it must be 2×3 (in×out)");
    }

    [Fact]
    public void A_Square_Input_Is_Read_In_The_Declared_Orientation_Which_Its_Shape_Cannot_Reveal()
    {
        // The worked example's X is 2×2: two samples of two features. Declared as samples in
        // columns, the same numbers are read as the transposed batch, and no shape check can tell.
        // The run then equals the rows run on Xᵀ, not the rows run on X.
        TrainingCase rows = Example;
        TrainingCase columnsSameNumbers = rows.InLayout(Layout.ColumnsOutIn) with
        {
            Batches = [rows.Batches[0] with { Y = rows.Batches[0].Y.Transpose() }],
        };
        TrainingCase rowsOnTranspose = rows with { Batches = [rows.Batches[0] with { X = rows.Batches[0].X.Transpose() }] };

        double columnsCost = Trainer.Run<double>(columnsSameNumbers)[0].Cost;
        columnsCost.ShouldBe(Trainer.Run<double>(rowsOnTranspose)[0].Cost);
        columnsCost.ShouldNotBe(Trainer.Run<double>(rows)[0].Cost);
    }
}
