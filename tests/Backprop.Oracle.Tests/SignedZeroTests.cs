using Backprop.Core.Activations;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Backprop.Oracle.Tests;

/// <summary>
/// Near zero, where a tolerance's atol hides everything: at a kink the sign of a zero is part of
/// the convention (−0 and +0 compare equal under any tolerance, so this compares bits), and ELU's
/// e^z − 1 must keep its relative precision for tiny z, as libtorch's expm1 does.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class SignedZeroTests
{
    private static readonly Dictionary<string, (ElementwiseActivation Core, Func<Tensor, Tensor> Torch)> Kinked = new()
    {
        ["relu"] = (Relu.Instance, z => F.relu(z)),
        ["leaky_relu"] = (LeakyRelu.Default, z => F.leaky_relu(z, 0.01)),
        ["leaky_relu(negative_slope=-0.5)"] = (new LeakyRelu(-0.5), z => F.leaky_relu(z, -0.5)),
        ["elu"] = (Elu.Default, z => F.elu(z, 1)),
        ["elu(alpha=2)"] = (new Elu(2), z => F.elu(z, 2)),
    };

    public static TheoryData<string> Names => new(Kinked.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Signed_Zeros_Match_Libtorch_Bit_For_Bit(string name)
    {
        (ElementwiseActivation core, Func<Tensor, Tensor> torchActivation) = Kinked[name];
        double[] z = [-0.0, 0.0];
        using Tensor zt = tensor(z, dtype: ScalarType.Float64).requires_grad_(true);
        using Tensor at = torchActivation(zt);
        at.backward([ones_like(at)]);
        double[] expectedA = at.detach().data<double>().ToArray(), expectedDz = zt.grad!.data<double>().ToArray();

        double[] a = new double[2], dZ = new double[2];
        core.Forward<double>(z, a);
        core.Backward<double>(z, a, [1.0, 1.0], dZ);
        a.Select(BitConverter.DoubleToInt64Bits).ShouldBe(expectedA.Select(BitConverter.DoubleToInt64Bits), $"{name} forward: core {string.Join(", ", a)}, libtorch {string.Join(", ", expectedA)}");
        dZ.Select(BitConverter.DoubleToInt64Bits).ShouldBe(expectedDz.Select(BitConverter.DoubleToInt64Bits), $"{name} backward: core {string.Join(", ", dZ)}, libtorch {string.Join(", ", expectedDz)}");
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e-15)]
    [InlineData(ScalarType.Float32, 1e-6)]
    public void Elu_Near_Zero_Keeps_Libtorchs_Relative_Precision(ScalarType type, double rtol)
    {
        // e^z − 1 computed as written loses all of z below e^z's rounding: at z = −1e-10 it is off
        // by 8e-8 relatively in float64 and is 0 in float32. Relative error only: atol would hide it.
        double[] z = [-1e-10, -1e-7, -1e-5, -3e-3, -0.3];
        using Tensor zt = tensor(z, dtype: ScalarType.Float64).to_type(type);
        using Tensor at = F.elu(zt, 1);
        double[] expected = at.to_type(ScalarType.Float64).data<double>().ToArray();
        double[] a = new double[z.Length];
        if (type == ScalarType.Float32)
        {
            float[] a32 = new float[z.Length];
            Elu.Default.Forward<float>(z.Select(v => (float)v).ToArray(), a32);
            a = a32.Select(v => (double)v).ToArray();
        }
        else
        {
            Elu.Default.Forward<double>(z, a);
        }

        for (int i = 0; i < z.Length; i++)
        {
            Math.Abs(a[i] - expected[i]).ShouldBeLessThanOrEqualTo(rtol * Math.Abs(expected[i]), $"elu({z[i]}) in {type}: core {a[i]:R}, libtorch {expected[i]:R}");
        }
    }
}
