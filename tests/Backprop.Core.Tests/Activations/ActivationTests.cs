using Backprop.Core.Activations;

namespace Backprop.Core.Tests.Activations;

public class ActivationTests
{
    [Fact]
    public void Relu_At_Zero_Has_Zero_Gradient()
    {
        float[] z = [0f, -0f, 1e-30f, -1e-30f];
        float[] a = new float[4], dZ = new float[4];
        Relu.Instance.Forward<float>(z, a);
        Relu.Instance.Backward<float>(z, a, [1f, 1f, 1f, 1f], dZ);
        dZ.ShouldBe([0f, 0f, 1f, 0f]);
    }

    [Fact]
    public void Relu_Propagates_NaN_Forward_And_Passes_Gradient_At_NaN_As_Threshold_Backward()
    {
        double[] z = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        double[] a = new double[3], dZ = new double[3];
        Relu.Instance.Forward<double>(z, a);
        Relu.Instance.Backward<double>(z, a, [2.0, 2.0, 2.0], dZ);
        double.IsNaN(a[0]).ShouldBeTrue();
        a[1].ShouldBe(double.PositiveInfinity);
        a[2].ShouldBe(0.0);
        dZ.ShouldBe([2.0, 2.0, 0.0]); // NaN <= 0 is false, so the gradient passes, as PyTorch
    }

    /// <summary>
    /// Long enough for whole vectors and a tail, with every special value in every lane position:
    /// each output element has the bits of the scalar rule (a = z &lt; 0 ? 0 : z; dZ = a &lt;= 0 ? 0 : dA),
    /// also when a overwrites z and dZ overwrites dA.
    /// </summary>
    [Fact]
    public void Relu_Gives_The_Scalar_Rules_Bits_In_Every_Lane_For_Special_Values()
    {
        double[] specials = [double.NaN, 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, 1e-310, -1e-310, 2.5, -2.5, 1e-40];
        double[] z = Enumerable.Range(0, 77).Select(i => specials[(i * 7) % specials.Length] * (i % 3 == 0 ? 1 : -1)).ToArray();
        double[] dA = Enumerable.Range(0, 77).Select(i => i % 4 == 0 ? double.NaN : i - 30.5).ToArray();

        double[] a = new double[z.Length], dZ = new double[z.Length];
        Relu.Instance.Forward<double>(z, a);
        Relu.Instance.Backward<double>(z, a, dA, dZ);
        float[] z32 = z.Select(v => (float)v).ToArray(), dA32 = dA.Select(v => (float)v).ToArray();
        float[] a32 = new float[z.Length], dZ32 = new float[z.Length];
        Relu.Instance.Forward<float>(z32, a32);
        Relu.Instance.Backward<float>(z32, a32, dA32, dZ32);
        double[] inPlace = (double[])z.Clone(), dInPlace = (double[])dA.Clone();
        Relu.Instance.Forward<double>(inPlace, inPlace);
        Relu.Instance.Backward<double>(z, inPlace, dInPlace, dInPlace);

        for (int i = 0; i < z.Length; i++)
        {
            double expectedA = z[i] < 0 ? 0.0 : z[i], expectedDZ = expectedA <= 0 ? 0.0 : dA[i];
            float expectedA32 = z32[i] < 0 ? 0f : z32[i], expectedDZ32 = expectedA32 <= 0 ? 0f : dA32[i];
            string at = $"element {i}: z = {z[i]}";
            BitConverter.DoubleToInt64Bits(a[i]).ShouldBe(BitConverter.DoubleToInt64Bits(expectedA), at);
            BitConverter.DoubleToInt64Bits(dZ[i]).ShouldBe(BitConverter.DoubleToInt64Bits(expectedDZ), at);
            BitConverter.DoubleToInt64Bits(inPlace[i]).ShouldBe(BitConverter.DoubleToInt64Bits(expectedA), at);
            BitConverter.DoubleToInt64Bits(dInPlace[i]).ShouldBe(BitConverter.DoubleToInt64Bits(expectedDZ), at);
            BitConverter.SingleToInt32Bits(a32[i]).ShouldBe(BitConverter.SingleToInt32Bits(expectedA32), at);
            BitConverter.SingleToInt32Bits(dZ32[i]).ShouldBe(BitConverter.SingleToInt32Bits(expectedDZ32), at);
        }
    }

    [Fact]
    public void Sigmoid_Saturates_To_Exact_0_And_1_In_Float32_With_Zero_Gradient()
    {
        float[] z = [-300f, 300f, float.NegativeInfinity, float.PositiveInfinity];
        float[] a = new float[4], dZ = new float[4];
        Sigmoid.Instance.Forward<float>(z, a);
        Sigmoid.Instance.Backward<float>(z, a, [1f, 1f, 1f, 1f], dZ);
        a.ShouldBe([0f, 1f, 0f, 1f]);
        dZ.ShouldBe([0f, 0f, 0f, 0f]);
    }

    [Fact]
    public void Sigmoid_At_300_Stays_Finite_And_Ordered_In_Float64()
    {
        double[] z = [-300, 300];
        double[] a = new double[2], dZ = new double[2];
        Sigmoid.Instance.Forward<double>(z, a);
        Sigmoid.Instance.Backward<double>(z, a, [1.0, 1.0], dZ);
        a[0].ShouldBeInRange(0.0, 1e-120);
        a[1].ShouldBe(1.0);
        dZ.ShouldAllBe(d => double.IsFinite(d) && d >= 0);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("relu")]
    [InlineData("sigmoid")]
    public void Backward_Refuses_Mismatched_Lengths(string name)
    {
        var g = (ElementwiseActivation)Vocabulary.Activation(name)!.Default;
        Should.Throw<ArgumentException>(() => g.Backward<double>(new double[3], new double[3], new double[2], new double[3]))
            .Message.ShouldContain("same length");
    }

    [Fact]
    public void Every_Activation_Is_Found_By_Its_Own_Name()
    {
        Vocabulary.Activations.ShouldAllBe(k => k.Examples.All(a => a.Name == k.Name));
        Vocabulary.Activations.Select(k => k.Name).ShouldBeUnique();
    }
}
