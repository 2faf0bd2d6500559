using Backprop.Cli;
using Backprop.Core;
using Backprop.Testing;

namespace Backprop.Oracle.Tests;

/// <summary>The measures a side-by-side run reports: divergence and accuracy.</summary>
public class SideBySideTrainingTests
{
    private static LayerParameters<double>[] Layer(double[] weight, double[] bias) => [new(new Matrix<double>(1, weight.Length, weight), bias)];

    [Fact]
    public void Divergence_Is_Normwise_Over_A_Layers_Weights_And_Bias_Together()
    {
        // |Δ| = 0.001 in the bias; the layer's largest libtorch value is 4.
        SideBySideTraining.Divergence(Layer([1, -4], [0.001]), Layer([1, -4], [0])).ShouldBe(0.001 / 4);
        SideBySideTraining.Divergence(Layer([0, 0], [0]), Layer([0, 0], [0])).ShouldBe(0);
        SideBySideTraining.Divergence(Layer([1, 0], [0]), Layer([0, 0], [0])).ShouldBe(double.PositiveInfinity);
    }

    [Fact]
    public void A_NaN_Parameter_Never_Reads_As_Agreement()
    {
        double.IsNaN(SideBySideTraining.Divergence(Layer([double.NaN, 1], [0]), Layer([1, 1], [0]))).ShouldBeTrue();
        double.IsNaN(SideBySideTraining.Divergence(Layer([1, 1], [0]), Layer([1, double.NaN], [0]))).ShouldBeTrue();
    }

    [Fact]
    public void Accuracy_Thresholds_A_Sigmoid_At_One_Half_And_Takes_The_First_Largest_Logit()
    {
        SideBySideTraining.Accuracy(new Matrix<double>(4, 1, [0.5, 0.49, 0.9, 0.1]), [1, 0, 0, 0]).ShouldBe(0.75);
        SideBySideTraining.Accuracy(new Matrix<double>(2, 3, [1, 3, 3, 2, 0, -1]), [1, 0]).ShouldBe(1.0);
        Should.Throw<ArgumentException>(() => SideBySideTraining.Accuracy(new Matrix<double>(2, 1), [1]));
    }
}

/// <summary>The oracle's guard against TorchSharp's unrooted Scalar temporaries (with libtorch's tests: one region at a time).</summary>
[Collection(LibtorchCollection.Name)]
public class NoCollectionTests
{
    [Fact]
    public void No_Collection_Can_Start_Inside_And_The_Region_Ends_After()
    {
        System.Runtime.GCLatencyMode inside = NoCollection.Run(() => System.Runtime.GCSettings.LatencyMode);
        inside.ShouldBe(System.Runtime.GCLatencyMode.NoGCRegion);
        System.Runtime.GCSettings.LatencyMode.ShouldNotBe(System.Runtime.GCLatencyMode.NoGCRegion);
    }

    [Fact]
    public void A_Nested_Run_Works_Without_A_Region_Of_Its_Own()
    {
        NoCollection.Run(() => NoCollection.Run(() => 42)).ShouldBe(42);
        System.Runtime.GCSettings.LatencyMode.ShouldNotBe(System.Runtime.GCLatencyMode.NoGCRegion);
    }
}
