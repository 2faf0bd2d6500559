using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Testing;

namespace Backprop.Oracle.Tests;

/// <summary>
/// The property suite's comparison rejects each classic backprop bug. Each broken variant runs on
/// the same seeded random networks the suite draws, and libtorch must disagree on at least one.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class PropertyTeethTests
{
    private static readonly RandomNetwork[] Networks = Enumerable.Range(1, 60)
        .Select(seed => RandomNetworks.Build(seed, DType.Float64, new RandomNetworkOptions(MaxDepth: 3, MaxWidth: 6, MaxBatch: 4)))
        .ToArray();

    private static bool Rejected(RandomNetwork n, Func<TrainingCase, TrainingCase> breakCase, Func<StepRecord<double>, StepRecord<double>>? breakRecord = null)
    {
        IReadOnlyList<StepRecord<double>> torch = TorchOracle.Run(n.Case, n.DType);
        IReadOnlyList<StepRecord<double>> core = Trainer.Run(breakCase(n.Case), n.DType).Select(breakRecord ?? (s => s)).ToArray();
        return Agreement.Compare(torch, core, Tolerance.Float64).Any(r => !r.Passed);
    }

    private static TrainingCase Swap(TrainingCase c, Func<Activation, Activation> swap)
        => c with { Network = c.Network with { Layers = c.Network.Layers.Select(l => l with { Activation = swap(l.Activation) }).ToArray() } };

    [Fact]
    public void The_Real_Core_Is_Not_Rejected()
    {
        Networks.All(n => !Rejected(n, c => c, null)).ShouldBeTrue("the real core must agree with libtorch on every network");
    }

    [Fact]
    public void A_Flipped_Derivative_Sign_Is_Rejected()
        => Networks.Any(n => Rejected(n, c => Swap(c, a => a is Tanh ? new Flipped(a) : a), null)).ShouldBeTrue("libtorch should reject the broken variant on some network");

    [Fact]
    public void Relu_Derivative_1_At_0_Is_Rejected()
    {
        // Dyadic networks in which some ReLU pre-activation is exactly 0, where the two rules differ.
        RandomNetwork[] kinked = Enumerable.Range(1, 3000)
            .Select(seed => RandomNetworks.Build(seed, DType.Float64, new RandomNetworkOptions(MaxDepth: 3, MaxWidth: 6, MaxBatch: 4)))
            .Where(n => n.Regime == ValueRegime.Dyadic && Trainer.Run<double>(n.Case)[0].Layers
                .Where((_, i) => n.Case.Network.Layers[i].Activation is Relu).Any(l => l.Z.Data.Contains(0.0)))
            .Take(5)
            .ToArray();
        kinked.ShouldNotBeEmpty("the generator should produce networks that hit ReLU's kink");
        kinked.Any(n => Rejected(n, c => Swap(c, a => a is Relu ? new ReluOneAtZero() : a), null)).ShouldBeTrue("libtorch should reject ReLU'(0) = 1");
    }

    [Fact]
    public void A_Dropped_1_Over_m_Is_Rejected()
        => Networks.Any(n => Rejected(n, c => c.Network.Loss is MseLoss { Reduction: Reduction.Mean }
            ? c with { Network = c.Network with { Loss = new GradientOfSum(c.Network.Loss) } }
            : c, null)).ShouldBeTrue("libtorch should reject the broken variant on some network");

    [Fact]
    public void A_Bias_Gradient_Not_Summed_Over_The_Batch_Is_Rejected()
        => Networks.Any(n => Rejected(n, c => c, s => s with
        {
            Layers = s.Layers.Select(l => l with { GradBias = FirstSample(l.GradZ, n.Case.Layout) }).ToArray(),
        })).ShouldBeTrue("libtorch should reject the broken variant on some network");

    [Fact]
    public void A_Transposed_Weight_Gradient_Is_Rejected()
        => Networks.Any(n => Rejected(n, c => c, s => s with
        {
            Layers = s.Layers.Select(l => l with { GradWeight = l.GradWeight.Transpose() }).ToArray(),
        })).ShouldBeTrue("libtorch should reject the broken variant on some network");

    [Fact]
    public void Sgd_Adding_Instead_Of_Subtracting_Is_Rejected()
        => Networks.Any(n => Rejected(n, c => c.Optimizer is Sgd s ? c with { Optimizer = new AscendingSgd(s.Lr) } : c, null)).ShouldBeTrue("libtorch should reject the broken variant on some network");

    [Fact]
    public void A_Bce_Without_Its_Clamp_Is_Rejected()
    {
        // A sigmoid saturated to exactly 0 and 1 (float32, z = ±300): the clamp is what keeps the cost finite.
        var saturated = new RandomNetwork(0, new TrainingCase(
            new NetworkSpec(1, [new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy()),
            [new LayerParameters<double>(new Matrix<double>(1, 1, [1]), [0])],
            [new Batch<double>(new Matrix<double>(2, 1, [300, -300]), new Matrix<double>(2, 1, [0, 1]), TargetKind.Values)],
            null), DType.Float32, ValueRegime.Large);
        IReadOnlyList<StepRecord<double>> torch = TorchOracle.Run(saturated.Case, DType.Float32);
        IReadOnlyList<StepRecord<double>> core = Trainer.Run(saturated.Case with { Network = saturated.Case.Network with { Loss = new UnclampedBce() } }, DType.Float32);
        Agreement.Compare(torch, core, Tolerance.Float32).ShouldContain(r => !r.Passed);
    }

    private static double[] FirstSample(Matrix<double> dZ, Layout layout)
        => layout.SamplesInColumns ? Enumerable.Range(0, dZ.Rows).Select(i => dZ[i, 0]).ToArray() : dZ.Row(0).ToArray();

    private sealed class Flipped(Activation inner) : Activation
    {
        public override string Name => inner.Name;

        public override void Forward<T>(Matrix<T> z, Matrix<T> a, SampleAxis samples) => inner.Forward(z, a, samples);

        public override void Backward<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ, SampleAxis samples)
        {
            inner.Backward(z, a, dA, dZ, samples);
            for (int i = 0; i < dZ.Data.Length; i++) dZ.Data[i] = -dZ.Data[i];
        }
    }

    /// <summary>The mean's cost, the sum's gradient: the 1/m forgotten in backward.</summary>
    private sealed class GradientOfSum(Loss mean) : Loss(Reduction.Mean, mean.Scale)
    {
        public override string Name => mean.Name;

        public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
            => mean.Cost(output, target, targets, samples);

        public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
            => mean.With(Reduction.Sum, mean.Scale).Gradient(output, target, gradient, targets, samples);
    }

    /// <summary>BCE with −(y·log x + (1 − y)·log(1 − x)) and no clamp at −100.</summary>
    private sealed class UnclampedBce() : Loss(Reduction.Mean, 1)
    {
        public override string Name => "binary_cross_entropy";

        public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
        {
            T sum = T.Zero;
            for (int i = 0; i < output.Data.Length; i++)
            {
                T x = output.Data[i], y = target.Data[i];
                sum -= (y * T.Log(x)) + ((T.One - y) * T.Log(T.One - x));
            }

            return sum / T.CreateChecked(output.Data.Length);
        }

        public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
            => new BinaryCrossEntropy().Gradient(output, target, gradient, targets, samples);
    }

    /// <summary>p ← p + lr·g: gradient ascent.</summary>
    private sealed record AscendingSgd(double Lr) : OptimizerSpec
    {
        public override string Name => "sgd";

        public override IReadOnlyList<Setting> Settings => new Sgd(Lr).Settings;

        public override void Validate()
        {
        }

        public override Optimizer<T> Create<T>() => new Ascent<T>(Lr);

        private sealed class Ascent<T>(double lr) : Optimizer<T>
            where T : System.Numerics.IFloatingPointIeee754<T>
        {
            protected override void Update(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
            {
                for (int i = 0; i < parameters.Count; i++)
                {
                    for (int j = 0; j < parameters[i].Length; j++) parameters[i][j] += T.CreateChecked(lr) * gradients[i][j];
                }
            }
        }
    }
}
