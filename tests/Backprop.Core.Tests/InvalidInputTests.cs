using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests;

/// <summary>
/// Every refusal of the core's building blocks, with its words: matrices, network shapes,
/// batches, losses, optimizers and tolerances. (The oracle's tests refuse the same specs end to
/// end; these run without libtorch, where the mutation tests run.)
/// </summary>
public class InvalidInputTests
{
    private static readonly NetworkSpec Spec = new(2, [new LayerSpec(3, Relu.Instance), new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy());

    private static LayerParameters<double>[] Parameters(NetworkSpec spec) => Initialization.PyTorchDefault(spec, new Random(1));

    [Fact]
    public void A_Matrix_Refuses_Data_Of_The_Wrong_Length_Negative_Sizes_And_Outside_Indices()
    {
        Should.Throw<ArgumentException>(() => new Matrix<double>(2, 3, new double[5])).Message.ShouldStartWith("a 2×3 matrix holds 6 elements, but 5 were given");
        Should.Throw<ArgumentNullException>(() => new Matrix<double>(2, 3, null!));
        Should.Throw<ArgumentOutOfRangeException>(() => new Matrix<double>(-1, 2));
        Should.Throw<ArgumentOutOfRangeException>(() => new Matrix<double>(2, -1));
        Should.Throw<ArgumentOutOfRangeException>(() => new Matrix<double>(int.MaxValue, 2)).Message.ShouldContain($"matrix has more than {Array.MaxLength} elements");
        var m = new Matrix<double>(2, 3);
        Should.Throw<ArgumentOutOfRangeException>(() => m[2, 0]).Message.ShouldStartWith("(2, 0) is outside a 2×3 matrix");
        Should.Throw<ArgumentOutOfRangeException>(() => m[0, 3]).Message.ShouldStartWith("(0, 3) is outside a 2×3 matrix");
        Should.Throw<ArgumentOutOfRangeException>(() => m[-1, 0]);
        m[1, 2] = 7;
        m.Data[5].ShouldBe(7);
    }

    [Fact]
    public void Rows_Must_All_Have_One_Length_And_Come_Back_As_Given()
    {
        Should.Throw<ArgumentException>(() => Matrix<double>.FromRows([[1, 2], [3]])).Message.ShouldStartWith("row 1 has 1 elements, but row 0 has 2");
        Should.Throw<ArgumentNullException>(() => Matrix<double>.FromRows(null!));
        Matrix<double>.FromRows([]).Shape.ShouldBe("0×0");
        Matrix<double> m = Matrix<double>.FromRows([[1, 2, 3], [4, 5, 6]]);
        m.ToRows().ShouldBe([[1, 2, 3], [4, 5, 6]]);
    }

    [Fact]
    public void A_Network_Refuses_No_Inputs_No_Layers_Empty_Layers_And_Missing_Arguments()
    {
        Spec.Widths.ShouldBe("2-3-1");
        Should.Throw<ArgumentNullException>(() => new Network<double>(null!, Parameters(Spec)));
        Should.Throw<ArgumentNullException>(() => new Network<double>(Spec, null!));
        Should.Throw<ArgumentException>(() => new Network<double>(Spec with { Inputs = 0 }, Parameters(Spec)))
            .Message.ShouldBe("the network must take at least 1 input, but takes 0");
        Should.Throw<ArgumentException>(() => new Network<double>(Spec with { Layers = [] }, []))
            .Message.ShouldBe("the network must have at least one layer");
        NetworkSpec empty = Spec with { Layers = [new LayerSpec(0, Relu.Instance), new LayerSpec(1, Sigmoid.Instance)] };
        Should.Throw<ArgumentException>(() => new Network<double>(empty, Parameters(Spec)))
            .Message.ShouldBe("layer 1: a layer must have at least 1 unit, but has 0");
    }

    [Fact]
    public void A_Weight_Wrong_In_One_Dimension_Only_Is_Refused()
    {
        LayerParameters<double>[] p = Parameters(Spec);
        p[0] = p[0] with { Weight = new Matrix<double>(3, 3) }; // rows right, columns wrong
        Should.Throw<ArgumentException>(() => new Network<double>(Spec, p)).Message.ShouldStartWith("layer 1: weight is 3×3");
        p = Parameters(Spec);
        p[1] = p[1] with { Weight = new Matrix<double>(2, 3) }; // the last layer: rows wrong
        Should.Throw<ArgumentException>(() => new Network<double>(Spec, p)).Message.ShouldStartWith("layer 2: weight is 2×3");
    }

    [Fact]
    public void A_Batch_Is_Refused_With_What_It_Should_Be()
    {
        var network = new Network<double>(Spec, Parameters(Spec));
        Should.Throw<ArgumentException>(() => network.CheckInputs(new Matrix<double>(0, 2))).Message.ShouldBe("x must hold at least one sample");
        var x = new Matrix<double>(2, 2);
        Should.Throw<ArgumentException>(() => network.CheckBatch(new Batch<double>(x, new Matrix<double>(2, 1), TargetKind.ClassIndices)))
            .Message.ShouldBe("binary_cross_entropy takes targets shaped like the output, not class indices");
        Should.Throw<ArgumentException>(() => network.CheckBatch(new Batch<double>(x, new Matrix<double>(2, 2), TargetKind.Values)))
            .Message.ShouldStartWith("y: layout samples=rows expects 2×1");
        Should.Throw<ArgumentException>(() => network.CheckBatch(new Batch<double>(x, new Matrix<double>(3, 1), TargetKind.Values)))
            .Message.ShouldStartWith("y: layout samples=rows expects 2×1");

        NetworkSpec logits = new(2, [new LayerSpec(3, Identity.Instance)], new CrossEntropy());
        var classifier = new Network<double>(logits, Parameters(logits));
        Should.Throw<ArgumentException>(() => classifier.CheckBatch(new Batch<double>(x, new Matrix<double>(2, 2), TargetKind.ClassIndices)))
            .Message.ShouldBe("the class indices y are 2×2 but x holds 2 samples, so y must be 2×1 (one index per sample)");
        Should.Throw<ArgumentException>(() => classifier.CheckBatch(new Batch<double>(x, new Matrix<double>(3, 1), TargetKind.ClassIndices)))
            .Message.ShouldStartWith("the class indices y are 3×1");
    }

    [Fact]
    public void A_Loss_Refuses_A_Non_Finite_Scale_Unknown_Names_And_Misshapen_Targets()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new MseLoss(Reduction.Mean, double.NaN)).Message.ShouldStartWith("a loss scale must be finite");
        Should.Throw<ArgumentOutOfRangeException>(() => new BinaryCrossEntropy(Reduction.Sum, double.PositiveInfinity));
        Vocabulary.Loss("hinge").ShouldBeNull();
        Vocabulary.Losses.Select(k => k.Name).ShouldBe(["binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "cross_entropy"]);
        var output = new Matrix<double>(2, 3);
        Should.Throw<ArgumentException>(() => new MseLoss().Cost(output, new Matrix<double>(2, 1), TargetKind.ClassIndices, SampleAxis.Rows))
            .Message.ShouldBe("mse_loss takes targets shaped like the output, not class indices");
        Should.Throw<ArgumentException>(() => new MseLoss().Cost(output, new Matrix<double>(2, 2), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("the target is 2×2 but the network's output is 2×3; they must have the same shape");
        Should.Throw<ArgumentException>(() => new MseLoss().Cost(output, new Matrix<double>(3, 3), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("the target is 3×3 but the network's output is 2×3; they must have the same shape");
    }

    [Fact]
    public void A_Loss_Names_Its_Reduction_And_Scale_When_They_Are_Not_The_Defaults()
    {
        new BinaryCrossEntropy().ToString().ShouldBe("binary_cross_entropy");
        new MseLoss(Reduction.Sum).ToString().ShouldBe("mse_loss (sum)");
        new MseLoss(Reduction.Sum, 0.5).ToString().ShouldBe("mse_loss (sum, scale 0.5)");
        new MseLoss(Reduction.Mean, 2).ToString().ShouldBe("mse_loss (mean, scale 2)");
    }

    [Fact]
    public void A_Scaled_Loss_Scales_Its_Cost()
    {
        var output = new Matrix<double>(1, 2, [0.25, 0.75]);
        var target = new Matrix<double>(1, 2, [0, 1]);
        new MseLoss(Reduction.Mean, 4).Cost(output, target, TargetKind.Values, SampleAxis.Rows).ShouldBe(4 * new MseLoss().Cost(output, target, TargetKind.Values, SampleAxis.Rows));
    }

    [Fact]
    public void An_Optimizer_Refuses_Tensors_And_Gradients_That_Do_Not_Pair_Up()
    {
        Optimizer<double> sgd = new Sgd(0.1).Create<double>();
        Should.Throw<ArgumentException>(() => sgd.Step([new double[3]], [new double[3], new double[1]]))
            .Message.ShouldBe("1 parameter tensors but 2 gradients");
        Should.Throw<ArgumentException>(() => sgd.Step([new double[3]], [new double[2]]))
            .Message.ShouldBe("parameter tensor 0 has 3 elements but its gradient has 2");
    }

    [Fact]
    public void A_Tolerance_Names_The_Bad_Argument()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new Tolerance(-1, 0)).ParamName.ShouldBe("rtol");
        Should.Throw<ArgumentOutOfRangeException>(() => new Tolerance(double.NaN, 0)).ParamName.ShouldBe("rtol");
        Should.Throw<ArgumentOutOfRangeException>(() => new Tolerance(0, -1)).ParamName.ShouldBe("atol");
        Should.Throw<ArgumentOutOfRangeException>(() => new Tolerance(0, double.PositiveInfinity)).ParamName.ShouldBe("atol");
        new Tolerance(0, 0).ToString().ShouldBe("rtol 0, atol 0");
    }

    [Fact]
    public void IndexOf_Finds_Sample_And_Unit_In_Either_Orientation()
    {
        // 3 samples of 2 units: samples in rows is 3×2, in columns 2×3.
        SampleIndexing.Of(rows: 3, cols: 2, SampleAxis.Rows).IndexOf(sample: 2, unit: 1).ShouldBe((2 * 2) + 1);
        SampleIndexing.Of(rows: 2, cols: 3, SampleAxis.Columns).IndexOf(sample: 2, unit: 1).ShouldBe((1 * 3) + 2);
    }

    [Fact]
    public void Sample_Major_Order_Visits_Each_Sample_Unit_By_Unit_In_Either_Orientation()
    {
        // 3 samples of 2 units. In columns the matrix is [[s0u0, s1u0, s2u0], [s0u1, s1u1, s2u1]].
        SampleIndexing columns = SampleIndexing.Of(rows: 2, cols: 3, SampleAxis.Columns);
        Enumerable.Range(0, 6).Select(columns.SampleMajor).ShouldBe([0, 3, 1, 4, 2, 5]);
        SampleIndexing rows = SampleIndexing.Of(rows: 3, cols: 2, SampleAxis.Rows);
        Enumerable.Range(0, 6).Select(rows.SampleMajor).ShouldBe([0, 1, 2, 3, 4, 5]);
    }
}
