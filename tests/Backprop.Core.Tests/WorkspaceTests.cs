using Backprop.Verification;

namespace Backprop.Core.Tests;

/// <summary>
/// The allocation-free pass checks the batch and the workspace before it writes anything: a
/// workspace made for another shape, layout or sample count is refused, as is a bad batch.
/// </summary>
public class WorkspaceTests
{
    private static Network<double> Network(Layout? layout = null)
    {
        TrainingCase c = WorkedExample.Case.InLayout(layout ?? Layout.RowsOutIn);
        return new(c.Network, c.Parameters, c.Layout);
    }

    private static Batch<double> Batch => WorkedExample.Case.Batches[0];

    [Fact]
    public void The_Pass_Into_A_Workspace_Is_The_Allocating_Pass()
    {
        Network<double> network = Network();
        var w = new Workspace<double>(network, 2);
        double cost = Backpropagation.ForwardBackward(network, Batch, w);
        StepRecord<double> record = Backpropagation.ForwardBackward(network, Batch);
        cost.ShouldBe(record.Cost);
        for (int l = 1; l <= 3; l++)
        {
            w.dW[l].Data.ShouldBe(record.Layers[l - 1].GradWeight.Data);
            w.db[l].ShouldBe(record.Layers[l - 1].GradBias);
        }

        w.dA[0].Data.ShouldBeEmpty("no layer needs dJ/dX");
    }

    [Fact]
    public void A_Workspace_For_Another_Sample_Count_Or_Layout_Is_Refused()
    {
        Network<double> network = Network();
        Should.Throw<ArgumentException>(() => Backpropagation.ForwardBackward(network, Batch, new Workspace<double>(network, 3)))
            .Message.ShouldBe("the workspace was made for 2-3-2-1 in layout samples=rows, weights=out-in with 3 samples, not 2-3-2-1 in samples=rows, weights=out-in with 2");
        Should.Throw<ArgumentException>(() => new Workspace<double>(network, 2).CheckFits(Network(Layout.RowsInOut), Batch.X))
            .Message.ShouldBe("the workspace was made for 2-3-2-1 in layout samples=rows, weights=out-in with 2 samples, not 2-3-2-1 in samples=rows, weights=in-out with 2");
    }

    [Fact]
    public void The_Batch_Is_Checked_Before_The_Workspace()
    {
        Network<double> network = Network();
        var w = new Workspace<double>(network, 2);
        Should.Throw<ArgumentException>(() => Backpropagation.ForwardBackward(network, Batch with { Y = new Matrix<double>(1, 2) }, w))
            .Message.ShouldBe("y: layout samples=rows expects 2×1 (2 samples of the network's 1 outputs), got 1×2");
        Should.Throw<ArgumentException>(() => Backpropagation.ForwardBackward(network, Batch with { Targets = TargetKind.ClassIndices }, w))
            .Message.ShouldBe("binary_cross_entropy takes targets shaped like the output, not class indices");
    }

    [Fact]
    public void Null_Arguments_And_An_Empty_Workspace_Are_Refused()
    {
        Network<double> network = Network();
        Should.Throw<ArgumentNullException>(() => Backpropagation.ForwardBackward(null!, Batch, new Workspace<double>(network, 2)));
        Should.Throw<ArgumentNullException>(() => Backpropagation.ForwardBackward(network, Batch, null!));
        Should.Throw<ArgumentNullException>(() => Backpropagation.ForwardBackward(network, null!));
        Should.Throw<ArgumentNullException>(() => Backpropagation.Predict(null!, Batch.X));
        Should.Throw<ArgumentOutOfRangeException>(() => new Workspace<double>(network, 0)).ParamName.ShouldBe("samples");
        Should.Throw<Exception>(() => network.CheckInputs(null!)).ShouldBeOfType<ArgumentNullException>();
        Should.Throw<Exception>(() => network.CheckBatch(null!)).ShouldBeOfType<ArgumentNullException>();
    }
}
