using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

public class FusedTests
{
    public static TheoryData<int> CrossingLengths => new(0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65);

    private static void EveryPathIsOneRoundingPerElement<T>(int length)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(length);
        T a = T.CreateTruncating(-0.37);
        T[] x = Enumerable.Range(0, length).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        T[] y0 = Enumerable.Range(0, length).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        T[] expected = y0.Select((y, j) => T.FusedMultiplyAdd(a, x[j], y)).ToArray();
        foreach (SimdPath path in Gemm.Supported<T>())
        {
            T[] y = (T[])y0.Clone();
            Fused.MultiplyAdd(a, x, y, new KernelOptions { Path = path });
            y.ShouldBe(expected, $"{path}, length {length}");
        }
    }

    [Theory]
    [MemberData(nameof(CrossingLengths))]
    public void MultiplyAdd_Is_A_Fused_Multiply_Add_Per_Element_On_Every_Path(int length)
    {
        EveryPathIsOneRoundingPerElement<float>(length);
        EveryPathIsOneRoundingPerElement<double>(length);
    }

    [Fact]
    public void Spans_Of_Different_Lengths_Are_Refused()
    {
        Should.Throw<ArgumentException>(() => Fused.MultiplyAdd(1f, new float[17], new float[16], KernelOptions.Default))
            .Message.ShouldStartWith("x holds 17 elements but y holds 16; they must be equal");
    }

    [Fact]
    public void A_Path_The_Type_Has_No_Vectors_For_Is_Refused()
    {
        // Half has no vector paths here: only Scalar.
        Should.Throw<NotSupportedException>(() => Fused.MultiplyAdd((Half)1, new Half[4], new Half[4], new KernelOptions { Path = SimdPath.Vector256 }))
            .Message.ShouldBe("the Vector256 path is not available here for Half; the best is Scalar");
        Half[] y = [(Half)1, (Half)2];
        Fused.MultiplyAdd((Half)2, [(Half)3, (Half)4], y, new KernelOptions { Path = SimdPath.Scalar });
        y.ShouldBe([(Half)7, (Half)10]);
    }
}
