using Backprop.Core;
using Backprop.Core.Activations;

namespace Backprop.Oracle.Tests;

/// <summary>
/// Each activation against libtorch, forward and backward, in both dtypes, at four kinds of
/// pre-activation: random values, exact kinks, saturation, and non-finite values.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class ActivationFamilyTests
{
    public static TheoryData<string, DType> ActivationsAndDTypes() => Cases.InBothDTypes(Cases.Activations.Keys);

    [Theory]
    [MemberData(nameof(ActivationsAndDTypes))]
    public void Random_Values_Match_Libtorch(string activation, DType dtype)
    {
        // A seed from the name's characters: string hash codes differ from process to process.
        var random = new Random(activation.Aggregate(17, (h, c) => (h * 31) + c) & 0xffff);
        double[] samples = Enumerable.Range(0, 4).Select(_ => (random.NextDouble() * 6) - 3).ToArray();
        double[] biases = Enumerable.Range(0, 5).Select(_ => (random.NextDouble() * 6) - 3).ToArray();
        CoreVersusLibtorch.CoreMatchesLibtorch(Cases.Probe(Cases.Activations[activation], samples, biases), dtype);
    }

    [Theory]
    [MemberData(nameof(ActivationsAndDTypes))]
    public void Exact_Kinks_Match_Libtorch(string activation, DType dtype)
    {
        // z = x + b hits 0 exactly (ReLU, leaky ReLU, ELU), and softplus's threshold exactly
        // (β·z = 20 for the default, 2·2.5 = 5 for softplus(2, 5)), and lands just either side.
        Activation g = Cases.Activations[activation];
        TrainingCase probe = Cases.Probe(g, [0, 0.5, -0.5], [0, -0.5, 0.5, 20, 2.5]);
        Trainer.Run<double>(probe)[0].Layers[0].Z.Data.Count(z => z == 0).ShouldBeGreaterThanOrEqualTo(3);
        CoreVersusLibtorch.CoreMatchesLibtorch(probe, dtype);
    }

    [Theory]
    [MemberData(nameof(ActivationsAndDTypes))]
    public void Saturation_Matches_Libtorch(string activation, DType dtype)
    {
        // ±300 saturates sigmoid and tanh (e^300 overflows float32); ±1000 are softmax logits
        // whose naive exponentials overflow in both dtypes.
        CoreVersusLibtorch.CoreMatchesLibtorch(Cases.Probe(Cases.Activations[activation], [0, 0.25], [-300, 300, -1000, 1000]), dtype);
    }

    [Theory]
    [MemberData(nameof(ActivationsAndDTypes))]
    public void Non_Finite_Values_Match_Libtorch(string activation, DType dtype)
    {
        // Six elements per tensor keep libtorch on its scalar kernels (see Elu's remarks). Exact
        // GELU at +∞ in float32 is the one known divergence, pinned by its own test below.
        Activation g = Cases.Activations[activation];
        double[] biases = g is Gelu { TanhApproximation: false } && dtype == DType.Float32
            ? [double.NegativeInfinity, double.NaN]
            : [double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        CoreVersusLibtorch.CoreMatchesLibtorch(Cases.Probe(g, [0, 1], biases), dtype);
    }

    [Fact]
    public void Float32_Exact_Gelu_At_Plus_Infinity_Is_NaN_In_Libtorch_But_Infinity_In_The_Core()
    {
        // For tensors of two or more elements libtorch's float32 exact GELU uses a fast erf
        // approximation (it also gives gelu(−3) = −0.004050225 where the true value is
        // −0.0040496946); at +∞ it returns NaN, while its float64 kernel (and its float32 kernel
        // on a single element) returns +∞. The core keeps an accurate erf in both dtypes and
        // returns +∞. If libtorch changes, this test says so.
        TrainingCase probe = Cases.Probe(Gelu.Exact, [0], [double.PositiveInfinity, 1]);
        double.IsNaN(TorchOracle.Run(probe, DType.Float32)[0].Layers[0].A[0, 0]).ShouldBeTrue();
        TorchOracle.Run(probe, DType.Float64)[0].Layers[0].A[0, 0].ShouldBe(double.PositiveInfinity);
        Trainer.Run(probe, DType.Float32)[0].Layers[0].A[0, 0].ShouldBe(double.PositiveInfinity);
    }
}
