using Backprop.Core.Activations;
using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Activations;

/// <summary>
/// The conventions of each activation that a tolerance cannot see (signed zeros, the exact
/// threshold, overflow of the naive formula), the parameters the parameterised ones take, and
/// the checks every activation makes on its buffers. The signed-zero conventions are libtorch's,
/// compared bit for bit in the oracle suite (SignedZeroTests).
/// </summary>
public class ActivationConventionTests
{
    private static long Bits(double d) => BitConverter.DoubleToInt64Bits(d);

    private static double[] Forward(ElementwiseActivation g, params double[] z)
    {
        double[] a = new double[z.Length];
        g.Forward<double>(z, a);
        return a;
    }

    private static double[] Backward(ElementwiseActivation g, params double[] z)
    {
        double[] a = Forward(g, z), dZ = new double[z.Length];
        g.Backward<double>(z, a, Enumerable.Repeat(1.0, z.Length).ToArray(), dZ);
        return dZ;
    }

    [Fact]
    public void Silu_Is_Z_Times_Sigmoid_With_Derivative_One_Half_At_Zero_And_No_Kink()
    {
        // silu(0) = 0, silu'(0) = σ(0) = ½, silu(1) = σ(1); far out it is z (or 0) with slope 1 (or 0).
        Forward(Silu.Instance, 0, 1, 40, -40).ShouldBe([0, 1 / (1 + Math.Exp(-1)), 40, -40 * Math.Exp(-40)], 1e-15);
        Backward(Silu.Instance, 0, 40, -40)[0].ShouldBe(0.5);
        Backward(Silu.Instance, 40)[0].ShouldBe(1, 1e-15);
        Backward(Silu.Instance, -40)[0].ShouldBe(0, 1e-15);
        Silu.Instance.Piece(0).ShouldBeNull();
        Silu.Instance.IsKink(0).ShouldBeFalse();
    }

    [Fact]
    public void Relu_And_Elu_Keep_Minus_Zero_And_Leaky_Relu_Signs_Zero_By_Its_Slope()
    {
        Bits(Forward(Relu.Instance, -0.0)[0]).ShouldBe(Bits(-0.0));
        Bits(Forward(Relu.Instance, -1.0)[0]).ShouldBe(Bits(0.0));
        Bits(Forward(Elu.Default, -0.0)[0]).ShouldBe(Bits(-0.0));
        Bits(Forward(new Elu(2), 0.0)[0]).ShouldBe(Bits(0.0));
        Bits(Forward(new LeakyRelu(-0.5), 0.0)[0]).ShouldBe(Bits(-0.0)); // z > 0 fails at +0: +0 · (−0.5)
        Bits(Forward(new LeakyRelu(-0.5), -0.0)[0]).ShouldBe(Bits(0.0));
    }

    [Fact]
    public void Elu_Takes_The_Negative_Branch_At_Zero_So_Its_Slope_There_Is_Alpha()
    {
        Backward(new Elu(2), 0.0, -0.0, 1e-300).ShouldBe([2.0, 2.0, 1.0]);
        Backward(new LeakyRelu(0.25), 0.0, 1e-300).ShouldBe([0.25, 1.0]);
    }

    [Theory]
    [InlineData(-1e-10)]
    [InlineData(-1e-7)]
    [InlineData(3e-9)]
    public void ExpM1_Keeps_The_Low_Bits_That_Exp_Minus_1_Loses(double x)
    {
        double expected = x + (x * x / 2) + (x * x * x / 6);
        ScalarMath.ExpM1(x).ShouldBe(expected, Math.Abs(expected) * 1e-15);
        ScalarMath.ExpM1((float)x).ShouldBe((float)expected);
        Forward(new Elu(3), x)[0].ShouldBe(x <= 0 ? 3 * expected : x, Math.Abs(expected) * 4e-15);
    }

    [Fact]
    public void ExpM1_Matches_Exp_Where_Exp_Is_Exact_Enough_And_Keeps_Its_Limits()
    {
        foreach (double x in new[] { -30, -2, -0.5, 0.5, 1, 10, 700 })
        {
            ScalarMath.ExpM1(x).ShouldBe(Math.Exp(x) - 1, Math.Abs(Math.Exp(x) - 1) * 4e-16);
        }

        ScalarMath.ExpM1(-800.0).ShouldBe(-1.0);
        ScalarMath.ExpM1(double.NegativeInfinity).ShouldBe(-1.0);
        ScalarMath.ExpM1(800.0).ShouldBe(double.PositiveInfinity);
        ScalarMath.ExpM1(double.PositiveInfinity).ShouldBe(double.PositiveInfinity);
        ScalarMath.ExpM1(100f).ShouldBe(float.PositiveInfinity);
        double.IsNaN(ScalarMath.ExpM1(double.NaN)).ShouldBeTrue();
        Bits(ScalarMath.ExpM1(-0.0)).ShouldBe(Bits(-0.0));
    }

    [Fact]
    public void Softplus_With_Beta_And_Threshold_Is_Log_1_Plus_E_To_The_Beta_Z_Over_Beta_Up_To_The_Threshold()
    {
        // β = 2, threshold 5: linear only where β·z > 5. At β·z = 5 exactly the log branch applies.
        var g = new Softplus(2, 5);
        double[] z = [-3, -0.5, 0.25, 1.5, 2.5, 2.5000001, 4];
        double[] a = Forward(g, z), dZ = Backward(g, z);
        for (int i = 0; i < z.Length; i++)
        {
            bool linear = 2 * z[i] > 5;
            double expected = linear ? z[i] : Math.Log(1 + Math.Exp(2 * z[i])) / 2;
            double slope = linear ? 1 : 1 / (1 + Math.Exp(-2 * z[i]));
            a[i].ShouldBe(expected, 1e-15 * Math.Max(1, Math.Abs(expected)), $"softplus(2, 5) at {z[i]}");
            dZ[i].ShouldBe(slope, 1e-15, $"softplus(2, 5)' at {z[i]}");
        }

        // At the threshold the log branch differs from z by log(1 + e^-5)/2, which the linear one would drop.
        (a[4] - 2.5).ShouldBe(Math.Log(1 + Math.Exp(-5)) / 2, 1e-15);
    }

    [Fact]
    public void Softmax_Subtracts_The_Largest_Logit_So_Spread_Logits_Do_Not_Overflow()
    {
        var z = new Matrix<double>(3, 3, [0, 800, 1, -800, 0, -1, 800, 799, 0]);
        var a = new Matrix<double>(3, 3);
        Softmax.Instance.Forward(z, a, SampleAxis.Rows);
        a.Data.ShouldAllBe(v => double.IsFinite(v));
        a[0, 1].ShouldBe(1.0);
        a[1, 1].ShouldBe(1 / (1 + Math.Exp(-1)), 1e-15);
        a[2, 0].ShouldBe(1 / (1 + Math.Exp(-1)), 1e-15);
        a[2, 1].ShouldBe(1 / (1 + Math.E), 1e-15);
    }

    public static TheoryData<string> ElementwiseNames => new(Vocabulary.Activations.Where(k => k.Default is ElementwiseActivation).Select(k => k.Name));

    [Theory]
    [MemberData(nameof(ElementwiseNames))]
    public void Every_Elementwise_Activation_Checks_Its_Span_Lengths_Forward_And_Backward(string name)
    {
        var g = (ElementwiseActivation)Vocabulary.Activation(name)!.Default;

        // Longer outputs, which would not overrun: only the check can refuse them.
        Should.Throw<ArgumentException>(() => g.Forward<double>(new double[3], new double[4]))
            .Message.ShouldBe("Z, A, dA and dZ must have the same length, but have 3, 4, 3 and 3");
        Should.Throw<ArgumentException>(() => g.Backward<double>(new double[3], new double[3], new double[3], new double[4]))
            .Message.ShouldBe("Z, A, dA and dZ must have the same length, but have 3, 3, 3 and 4");
        Should.Throw<ArgumentException>(() => g.Backward<double>(new double[3], new double[3], new double[4], new double[3]))
            .Message.ShouldBe("Z, A, dA and dZ must have the same length, but have 3, 3, 4 and 3");
        Should.Throw<ArgumentException>(() => g.Backward<double>(new double[3], new double[4], new double[3], new double[3]))
            .Message.ShouldBe("Z, A, dA and dZ must have the same length, but have 3, 4, 3 and 3");
    }

    public static TheoryData<string> AllNames => new(Vocabulary.Activations.Select(k => k.Name));

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Every_Activation_Checks_Matrix_Shapes_Even_Where_The_Lengths_Agree(string name)
    {
        Activation g = Vocabulary.Activation(name)!.Default;
        Matrix<double> M(int rows, int cols) => new(rows, cols);
        string Refusal(Action act) => Should.Throw<ArgumentException>(act).Message;

        Refusal(() => g.Forward(M(2, 3), M(3, 2), SampleAxis.Rows)).ShouldBe("Z, A, dA and dZ must have the same shape, but are 2×3, 3×2, 3×2 and 3×2");
        Refusal(() => g.Forward(M(2, 3), M(2, 4), SampleAxis.Rows)).ShouldBe("Z, A, dA and dZ must have the same shape, but are 2×3, 2×4, 2×4 and 2×4");
        Refusal(() => g.Forward(M(2, 3), M(1, 3), SampleAxis.Rows)).ShouldBe("Z, A, dA and dZ must have the same shape, but are 2×3, 1×3, 1×3 and 1×3");
        Refusal(() => g.Backward(M(2, 3), M(2, 3), M(2, 4), M(2, 3), SampleAxis.Rows)).ShouldBe("Z, A, dA and dZ must have the same shape, but are 2×3, 2×3, 2×4 and 2×3");
        Refusal(() => g.Backward(M(2, 3), M(2, 3), M(1, 3), M(2, 3), SampleAxis.Rows)).ShouldBe("Z, A, dA and dZ must have the same shape, but are 2×3, 2×3, 1×3 and 2×3");
        Refusal(() => g.Backward(M(2, 3), M(2, 3), M(2, 3), M(2, 4), SampleAxis.Rows)).ShouldBe("Z, A, dA and dZ must have the same shape, but are 2×3, 2×3, 2×3 and 2×4");
        Refusal(() => g.Backward(M(2, 3), M(2, 3), M(2, 3), M(1, 3), SampleAxis.Rows)).ShouldBe("Z, A, dA and dZ must have the same shape, but are 2×3, 2×3, 2×3 and 1×3");
        Refusal(() => g.Backward(M(2, 3), M(3, 2), M(2, 3), M(2, 3), SampleAxis.Rows)).ShouldBe("Z, A, dA and dZ must have the same shape, but are 2×3, 3×2, 2×3 and 2×3");
    }

    [Fact]
    public void Names_And_Descriptions_Spell_Out_Parameters_That_Differ_From_PyTorchs_Defaults()
    {
        Vocabulary.Activations.Select(k => k.Name).ShouldBe(["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "gelu", "softplus", "elu", "silu"]);
        LeakyRelu.Default.ToString().ShouldBe("leaky_relu");
        new LeakyRelu(0.2).ToString().ShouldBe("leaky_relu(negative_slope=0.2)");
        Elu.Default.ToString().ShouldBe("elu");
        new Elu(0.5).ToString().ShouldBe("elu(alpha=0.5)");
        Softplus.Default.ToString().ShouldBe("softplus");
        new Softplus(2).ToString().ShouldBe("softplus(beta=2, threshold=20)");
        new Softplus(1, 5).ToString().ShouldBe("softplus(beta=1, threshold=5)");
        Gelu.Exact.ToString().ShouldBe("gelu");
        Gelu.TanhApproximate.ToString().ShouldBe("gelu(approximate=tanh)");
        Relu.Instance.ToString().ShouldBe("relu");
    }

    [Fact]
    public void Parameters_Must_Be_Finite()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new LeakyRelu(double.NaN)).Message.ShouldStartWith("the slope must be finite");
        Should.Throw<ArgumentOutOfRangeException>(() => new Elu(double.PositiveInfinity)).Message.ShouldStartWith("alpha must be finite");
        Should.Throw<ArgumentOutOfRangeException>(() => new Softplus(1, double.NaN)).Message.ShouldStartWith("the threshold must be finite");
        Should.Throw<ArgumentOutOfRangeException>(() => new Softplus(double.NegativeInfinity)).Message.ShouldStartWith("beta must be finite and not 0");
        new LeakyRelu(-3).NegativeSlope.ShouldBe(-3);
        new Elu(-3).Alpha.ShouldBe(-3);
        new Softplus(-3, -1).Threshold.ShouldBe(-1);
    }
}
