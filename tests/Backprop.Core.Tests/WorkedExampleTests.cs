using Backprop.Core;
using Backprop.Verification;
using Backprop.Testing;

namespace Backprop.Core.Tests;

/// <summary>
/// The project's first acceptance test: the core reproduces what PyTorch printed for seed 004.
/// The article prints 4 decimals, so those numbers are a sanity check with a print-rounding
/// tolerance; libtorch itself is the truth, checked through the committed fixtures and the oracle.
/// </summary>
public class WorkedExampleTests
{
    /// <summary>Half a unit in the 4th decimal: what rounding to the article's printout allows.</summary>
    private static readonly Tolerance Printed = new(rtol: 0, atol: 0.5e-4 + 1e-7);

    private static StepRecord<float> RunFloat32() => Trainer.Run<float>(WorkedExample.Case)[0];

    [Fact]
    public void Cost_Is_PyTorchs_Printed_Value_To_Float32_Precision()
    {
        // PyTorch printed the float32 cost as a Python float: 0.19522885978221893.
        RunFloat32().Cost.ShouldBe((float)0.19522885978221893);
    }

    [Fact]
    public void Forward_Values_Match_The_Printout()
    {
        StepRecord<double> step = RunFloat32().ToDouble();
        new[]
        {
            QuantityComparison.Compare("Z1", M([[4, 2, -7.8], [6, 9, -16]]), step.Layers[0].Z, Printed),
            QuantityComparison.Compare("A1", M([[4, 2, 0], [6, 9, 0]]), step.Layers[0].A, Printed),
            QuantityComparison.Compare("Z2", M([[0, 8], [8, 10.1]]), step.Layers[1].Z, Printed),
            QuantityComparison.Compare("Z3", M([[-2.3], [1.07]]), step.Layers[2].Z, Printed),
            QuantityComparison.Compare("A3", M([[0.0911], [0.7446]]), step.Layers[2].A, Printed),
        }.ShouldAllPass();
    }

    [Fact]
    public void Gradients_Match_The_Printout()
    {
        StepRecord<double> step = RunFloat32().ToDouble();
        new[]
        {
            QuantityComparison.Compare("dW3", M([[-1.0216, -0.9253]]), step.Layers[2].GradWeight, Printed),
            QuantityComparison.Compare("db3", [-0.0821], step.Layers[2].GradBias, Printed),
            QuantityComparison.Compare("dW2", M([[-0.3831, -0.5747, 0], [0.1752, 0.3175, 0]]), step.Layers[1].GradWeight, Printed),
            QuantityComparison.Compare("db2", [-0.0639, 0.0246], step.Layers[1].GradBias, Printed),
            QuantityComparison.Compare("dW1", M([[-0.0249, -0.0396], [-0.1814, -0.2428], [0, 0]]), step.Layers[0].GradWeight, Printed),
            QuantityComparison.Compare("db1", [-0.0147, -0.0614, 0], step.Layers[0].GradBias, Printed),
        }.ShouldAllPass();
    }

    [Fact]
    public void Updated_Parameters_Match_The_Printout_Including_The_Misprinted_B1()
    {
        // The article's hand calculation says b1[0] = 0.1001; PyTorch printed 1.0001, which is right.
        IReadOnlyList<LayerParameters<double>> p = RunFloat32().ToDouble().Parameters!;
        new[]
        {
            QuantityComparison.Compare("W1", M([[-0.9998, 2.0004], [3.0018, 0.5024], [-0.1, -4]]), p[0].Weight, Printed),
            QuantityComparison.Compare("b1", [1.0001, -1.9994, 0.3], p[0].Bias, Printed),
            QuantityComparison.Compare("W2", M([[0.5038, 1.0057, -2], [0.6982, 0.0968, 0.3]]), p[1].Weight, Printed),
            QuantityComparison.Compare("b2", [-3.9994, 4.9998], p[1].Bias, Printed),
            QuantityComparison.Compare("W3", M([[0.5102, -0.2907]]), p[2].Weight, Printed),
            QuantityComparison.Compare("b3", [0.1008], p[2].Bias, Printed),
        }.ShouldAllPass();
    }

    [Fact]
    public void Layer2_Hits_The_Relu_Kink_Exactly_And_Passes_No_Gradient_Through_It()
    {
        StepRecord<float> step = RunFloat32();
        step.Layers[1].Z[0, 0].ShouldBe(0f);
        step.Layers[1].GradA[0, 0].ShouldNotBe(0f, "the kink test means something only if gradient arrives there");
        step.Layers[1].GradZ[0, 0].ShouldBe(0f);
    }

    [Fact]
    public void Float64_Run_Agrees_With_Float32_Within_Float32_Tolerance()
    {
        Agreement.Compare(
                Trainer.Run<double>(WorkedExample.Case),
                Trainer.Run<float>(WorkedExample.Case).Select(s => s.ToDouble()).ToArray(),
                Tolerance.Float32)
            .ShouldAllPass();
    }

    private static Matrix<double> M(double[][] rows) => Matrix<double>.FromRows(rows);
}
