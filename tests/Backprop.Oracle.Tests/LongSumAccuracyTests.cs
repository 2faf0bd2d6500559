using Backprop.Core.Kernels;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Backprop.Oracle.Tests;

/// <summary>
/// A float32 layer with a very long input, one output: the core's z against libtorch's, each
/// measured against the exact sum of the same float32 products (taken in float64). The core's
/// blocked sum must be at least as accurate as libtorch's BLAS on this machine, whatever BLAS
/// path libtorch takes here.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class LongSumAccuracyTests
{
    [Theory]
    [InlineData(1 << 16, true)]
    [InlineData(1 << 16, false)]
    [InlineData(2_000_000, true)]
    [InlineData(1 << 21, true)]
    [InlineData(1 << 21, false)]
    public void A_Long_Float32_Layer_Sums_At_Least_As_Accurately_As_Libtorch(int inputs, bool equalTerms)
    {
        // Equal terms 0.5·1e-6 (a sum of about 1 at two million inputs), or random ones in [0, 1).
        var random = new Random(inputs);
        float[] x = Enumerable.Range(0, inputs).Select(_ => equalTerms ? 0.5f : (float)random.NextDouble()).ToArray();
        float[] w = Enumerable.Range(0, inputs).Select(_ => equalTerms ? 1e-6f : (float)random.NextDouble()).ToArray();
        double exact = x.Zip(w, (a, b) => (double)a * b).Sum();

        var core = new float[1];
        Gemm.MultiplyTransposedB<float>(x, w, core, 1, inputs, 1, KernelOptions.Default);
        float libtorch;
        using (Tensor tx = tensor(x, [1, inputs]))
        using (Tensor tw = tensor(w, [1, inputs]))
        using (Tensor z = F.linear(tx, tw))
        {
            libtorch = z.item<float>();
        }

        double coreError = Math.Abs(core[0] - exact) / exact, torchError = Math.Abs(libtorch - exact) / exact;
        coreError.ShouldBeLessThanOrEqualTo(
            torchError,
            $"{inputs} inputs, {(equalTerms ? "equal" : "random")} terms: exact {exact}, core {core[0]} (relative error {coreError:E2}), libtorch {libtorch} ({torchError:E2})");
    }
}
