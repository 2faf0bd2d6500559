using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Core.Tests;

/// <summary>Laws every correct gradient obeys, checked on random networks without libtorch.</summary>
public class GradientLawTests
{
    /// <summary>torch.autograd.gradcheck's finite-difference settings: the method's own error, not a dtype tolerance.</summary>
    private static readonly Tolerance Gradcheck = new(rtol: 1e-3, atol: 1e-5);

    private const double Eps = 1e-6;

    private static double Cost(TrainingCase c) => Trainer.Run(c with { Optimizer = null, Steps = 1 }, DType.Float64)[0].Cost;

    /// <summary>
    /// Central differences (J(θ + ε) − J(θ − ε)) / 2ε on every parameter, in float64, agree with the
    /// core's gradient. Cases within 1e-3 of a kink (or of softplus's threshold), or with a BCE input
    /// within 1e-4 of 0 or 1, are discarded: there the difference quotient straddles the kink.
    /// </summary>
    [Property(MaxTest = 150, Replay = "(8675309123,5551212001)")]
    public Property Gradients_Match_Central_Finite_Differences(int seed)
    {
        TrainingCase c = RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 4, MaxBatch: 3, MaxInputs: 4, MaxSteps: 3, Regime: ValueRegime.Gaussian)) with { Optimizer = null, Steps = 1 };
        StepRecord<double> step = Trainer.Run(c, DType.Float64)[0];
        bool nearKink = step.Layers.Select((l, i) => (l, c.Network.Layers[i].Activation)).Any(x => x.Activation is ElementwiseActivation g
            && x.l.Z.Data.Any(z => g.Piece(z - 1e-3) != g.Piece(z + 1e-3))) || (c.Network.Loss is BinaryCrossEntropy && step.Layers[^1].A.Data.Any(a => a < 1e-4 || a > 1 - 1e-4));

        return new Func<bool>(() =>
        {
            for (int l = 0; l < c.Parameters.Count; l++)
            {
                double[] fd = Differences(c, l, weight: true);
                QuantityComparison.Compare($"layer {l + 1} gradWeight", fd, step.Layers[l].GradWeight.Data, Gradcheck).Passed.ShouldBeTrue();
                double[] fdBias = Differences(c, l, weight: false);
                QuantityComparison.Compare($"layer {l + 1} gradBias", fdBias, step.Layers[l].GradBias, Gradcheck).Passed.ShouldBeTrue();
            }

            return true;
        }).When(!nearKink).Classify(c.Network.Layers.Count > 2, "3+ layers");
    }

    private static double[] Differences(TrainingCase c, int layer, bool weight)
    {
        double[] values = weight ? c.Parameters[layer].Weight.Data : c.Parameters[layer].Bias;
        var result = new double[values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            result[k] = (Cost(Nudge(c, layer, weight, k, +Eps)) - Cost(Nudge(c, layer, weight, k, -Eps))) / (2 * Eps);
        }

        return result;
    }

    private static TrainingCase Nudge(TrainingCase c, int layer, bool weight, int k, double by)
    {
        LayerParameters<double>[] p = c.Parameters.Select(x => x.DeepCopy()).ToArray();
        if (weight) p[layer].Weight.Data[k] += by;
        else p[layer].Bias[k] += by;
        return c with { Parameters = p };
    }

    [Property(MaxTest = 150, Replay = "(4242424242,1357913579)")]
    public bool Permuting_The_Samples_Leaves_Mean_Reduced_Gradients_Unchanged(int seed)
    {
        TrainingCase c = RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 5, MaxBatch: 4, MaxInputs: 5, MaxSteps: 3, Regime: ValueRegime.Gaussian)) with { Optimizer = null, Steps = 1 };
        if (c.Network.Loss.Reduction != Reduction.Mean)
        {
            c = c with { Network = c.Network with { Loss = c.Network.Loss.With(Reduction.Mean, 1) } };
        }

        Batch<double> b = c.Batches[0];
        int[] order = Enumerable.Range(0, b.X.Rows).OrderBy(i => (i * 7919 + seed) % 104729).ToArray();
        var permuted = new Batch<double>(Rows(b.X, order), Rows(b.Y, order), b.Targets);
        StepRecord<double> original = Trainer.Run(c with { Batches = [b] }, DType.Float64)[0];
        StepRecord<double> shuffled = Trainer.Run(c with { Batches = [permuted] }, DType.Float64)[0];

        // Summation order over samples changes, so the gradients agree within float64's tolerance, not bitwise.
        QuantityComparison.Compare("cost", original.Cost, shuffled.Cost, Tolerance.Float64).Passed.ShouldBeTrue();
        for (int l = 0; l < original.Layers.Count; l++)
        {
            QuantityComparison.Compare("gradWeight", original.Layers[l].GradWeight, shuffled.Layers[l].GradWeight, Tolerance.Float64).Passed.ShouldBeTrue();
            QuantityComparison.Compare("gradBias", original.Layers[l].GradBias, shuffled.Layers[l].GradBias, Tolerance.Float64).Passed.ShouldBeTrue();
        }

        return true;
    }

    [Property(MaxTest = 150, Replay = "(2468135790,9753102467)")]
    public bool Scaling_The_Loss_By_A_Power_Of_Two_Scales_Every_Gradient_Exactly(int seed, bool up)
    {
        // Every gradient is linear in the upstream scale, and scaling by 2^k commutes with rounding.
        double scale = up ? 4 : 0.25;
        TrainingCase c = RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 5, MaxBatch: 4, MaxInputs: 5, MaxSteps: 3, Regime: ValueRegime.Gaussian)) with { Optimizer = null, Steps = 1 };
        Loss loss = c.Network.Loss;
        Loss scaled = loss is CrossEntropy ce
            ? new CrossEntropy(loss.Reduction, loss.Scale * scale, ce.LabelSmoothing)
            : loss.With(loss.Reduction, loss.Scale * scale);
        StepRecord<double> plain = Trainer.Run(c, DType.Float64)[0];
        StepRecord<double> times = Trainer.Run(c with { Network = c.Network with { Loss = scaled } }, DType.Float64)[0];
        for (int l = 0; l < plain.Layers.Count; l++)
        {
            times.Layers[l].GradWeight.Data.ShouldBe(plain.Layers[l].GradWeight.Data.Select(g => g * scale).ToArray());
            times.Layers[l].GradBias.ShouldBe(plain.Layers[l].GradBias.Select(g => g * scale).ToArray());
        }

        return true;
    }

    private static Matrix<double> Rows(Matrix<double> m, int[] order)
    {
        var result = new Matrix<double>(m.Rows, m.Cols);
        for (int i = 0; i < order.Length; i++) m.Row(order[i]).CopyTo(result.Row(i));
        return result;
    }
}
