using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

/// <summary>
/// Long updates split among threads: every element is still one rounding, whatever the thread
/// count, and nothing outside the span is written. In the "Kernel helper threads" collection, as
/// an update that finds the helpers busy runs alone.
/// </summary>
[Collection(KernelHelperThreads.Name)]
public class FusedPartsTests
{
    private static void EveryPartIsOneRoundingPerElement<T>(int length, int threads)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        const int Guard = 64;
        var random = new Random(length);
        T a = T.CreateTruncating(-0.37);
        T sentinel = T.CreateTruncating(99);
        T[] x = Enumerable.Range(0, length).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();

        // x, too, sits between guard elements, non-zero so that a part reading past its end
        // would change the guard elements after y.
        var guardedX = new T[length + (2 * Guard)];
        Array.Fill(guardedX, T.One);
        x.CopyTo(guardedX, Guard);
        T[] y0 = Enumerable.Range(0, length).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5)).ToArray();
        T[] expected = y0.Select((y, j) => T.FusedMultiplyAdd(a, x[j], y)).ToArray();
        foreach (SimdPath path in Gemm.Supported<T>())
        {
            var guarded = new T[length + (2 * Guard)];
            Array.Fill(guarded, sentinel);
            y0.CopyTo(guarded, Guard);
            Fused.MultiplyAdd(a, guardedX.AsSpan(Guard, length), guarded.AsSpan(Guard, length), new KernelOptions { Threads = threads, Path = path });
            string what = $"{typeof(T).Name}, {path}, length {length}, {threads} threads";
            guarded.AsSpan(Guard, length).ToArray().ShouldBe(expected, what);
            guarded.AsSpan(0, Guard).ToArray().All(v => v == sentinel).ShouldBeTrue($"{what}: wrote before y");
            guarded.AsSpan(Guard + length).ToArray().All(v => v == sentinel).ShouldBeTrue($"{what}: wrote past y");
        }
    }

    [Theory]
    [InlineData(65535)] // one short of the length that is split
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(65551)]
    [InlineData(200_705)] // a 784×256 weight matrix and one more
    public void Parts_On_Several_Threads_Give_The_Same_Bits(int length)
    {
        foreach (int threads in new[] { 2, 3 })
        {
            EveryPartIsOneRoundingPerElement<float>(length, threads);
            EveryPartIsOneRoundingPerElement<double>(length, threads);
        }
    }
}
