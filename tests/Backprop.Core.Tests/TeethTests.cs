using System.Numerics;
using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Testing;

namespace Backprop.Core.Tests;

/// <summary>
/// The checks have teeth: deliberately broken backprops, each a classic mistake, run against the
/// committed worked-example fixture, and each must be caught at the quantity it breaks.
/// </summary>
public class TeethTests
{
    private static readonly Fixture Fixture = FixtureReader.ReadFile(Agreement.FixturePath("worked-example.json"));

    private static IReadOnlyList<QuantityComparison> CheckWith(Func<LayerSpec, LayerSpec> layer, Loss? loss = null)
    {
        NetworkSpec spec = Fixture.Case.Network with
        {
            Layers = Fixture.Case.Network.Layers.Select(layer).ToArray(),
            Loss = loss ?? Fixture.Case.Network.Loss,
        };
        return StepComparison.Compare(Fixture.Expected, Trainer.Run(Fixture.Case with { Network = spec }, DType.Float32), Fixture.EffectiveTolerance);
    }

    private static void ShouldFailAt(IReadOnlyList<QuantityComparison> results, string quantity)
    {
        results.ShouldContain(r => r.Quantity == quantity && !r.Passed, $"the mutant should be caught at {quantity}");
    }

    [Fact]
    public void The_Real_Core_Passes_The_Same_Check()
    {
        CheckWith(l => l).ShouldAllPass();
    }

    [Fact]
    public void Relu_Derivative_Of_1_At_0_Is_Caught()
    {
        ShouldFailAt(CheckWith(l => l.Activation is Relu ? l with { Activation = new ReluOneAtZero() } : l), "step 1 layer 2 gradZ");
    }

    [Fact]
    public void Flipped_Sigmoid_Derivative_Sign_Is_Caught()
    {
        ShouldFailAt(CheckWith(l => l.Activation is Sigmoid ? l with { Activation = new SigmoidFlipped() } : l), "step 1 layer 3 gradZ");
    }

    [Fact]
    public void Dropped_1_Over_m_Is_Caught()
    {
        ShouldFailAt(CheckWith(l => l, new BceWithoutMean()), "step 1 layer 3 gradA");
    }

    [Fact]
    public void Bias_Gradient_Not_Summed_Over_The_Batch_Is_Caught()
    {
        StepRecord<double> step = Trainer.Run(Fixture.Case, DType.Float32)[0];
        LayerRecord<double>[] layers = step.Layers
            .Select(l => l with { GradBias = l.GradZ.Row(0).ToArray() }) // the first sample's dZ only
            .ToArray();
        ShouldFailAt(StepComparison.Compare(1, Fixture.Expected[0], step with { Layers = layers }, Fixture.EffectiveTolerance), "step 1 layer 3 gradBias");
    }

    private sealed class SigmoidFlipped : ElementwiseActivation
    {
        public override string Name => "sigmoid";

        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a) => Sigmoid.Instance.Forward(z, a);

        // The witness's formula stays right: the bug is in the kernel.
        public override double Derivative(double z, double a) => Sigmoid.Instance.Derivative(z, a);

        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
        {
            Sigmoid.Instance.Backward(z, a, dA, dZ);
            for (int i = 0; i < dZ.Length; i++)
            {
                dZ[i] = -dZ[i];
            }
        }
    }

    /// <summary>Mean cost, but the gradient of the sum: the 1/m forgotten in backward.</summary>
    private sealed class BceWithoutMean() : Loss(Reduction.Mean, 1)
    {
        public override string Name => "binary_cross_entropy";

        public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
            => new BinaryCrossEntropy().Cost(output, target, targets, samples);

        public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
            => new BinaryCrossEntropy(Reduction.Sum).Gradient(output, target, gradient, targets, samples);
    }
}
