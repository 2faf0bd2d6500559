using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Core.Tests;

/// <summary>The four layouts and the laws that tie batches to samples.</summary>
public class LayoutTests
{
    private static readonly Tolerance Exact = new(0, 0);

    public static TheoryData<string> OtherLayouts => new(Layout.All.Skip(1).Select(l => l.ToString()));

    /// <summary>
    /// Every layout runs its own formulas, yet each product sums the same terms in the same order
    /// and IEEE products commute, and losses sum sample by sample: so all four agree bitwise.
    /// </summary>
    [Property(MaxTest = 300, Replay = "(31415926535,27182818285)")]
    public Property Layouts_Agree_Bitwise(int seed, bool dyadic)
    {
        TrainingCase rows = RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 5, MaxBatch: 4, MaxInputs: 5, MaxSteps: 3, Regime: dyadic ? ValueRegime.Dyadic : ValueRegime.Gaussian));
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            IReadOnlyList<StepRecord<double>> expected = Trainer.Run(rows, dtype);
            foreach (Layout layout in Layout.All.Skip(1))
            {
                IReadOnlyList<StepRecord<double>> turned = Trainer.Run(rows.InLayout(layout), dtype)
                    .Select(step => step.InLayout(layout, Layout.RowsOutIn)).ToArray();
                Agreement.Compare(expected, turned, Exact).ShouldAllPass();
            }
        }

        return true.ToProperty()
            .Classify(rows.Network.Layers.Any(l => l.Activation is Backprop.Core.Activations.Softmax), "has a softmax layer")
            .Classify(rows.Network.Loss is CrossEntropy, "cross_entropy")
            .Classify(rows.Optimizer is not null && rows.Steps > 1, "several optimizer steps");
    }

    [Property(MaxTest = 100)]
    public void Predict_Is_The_Forward_Pass_Of_Training_Bitwise_In_Every_Layout(int seed)
    {
        foreach (Layout layout in Layout.All)
        {
            TrainingCase c = RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 5, MaxBatch: 4, MaxInputs: 5, MaxSteps: 3, Regime: ValueRegime.Gaussian)).InLayout(layout);
            var network = new Network<double>(c.Network, c.Parameters, layout);
            Batch<double> batch = c.Batches[0];
            Matrix<double> output = Backpropagation.Predict(network, batch.X);
            output.Data.ShouldBe(Backpropagation.ForwardBackward(network, batch).Layers[^1].A.Data);
            Should.Throw<ArgumentException>(() => Backpropagation.Predict(network, new Matrix<double>(0, 0)));
        }
    }

    [Property(MaxTest = 100, Replay = "(1618033988,7495356101)")]
    public bool Batch_Mean_Gradient_Is_The_Mean_Of_Per_Sample_Gradients(int seed)
    {
        // With a mean over samples (one output, or cross_entropy, which averages over samples),
        // the batch's gradient is the average of each sample's own gradient.
        TrainingCase c = RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 5, MaxBatch: 4, MaxInputs: 5, MaxSteps: 3, Regime: ValueRegime.Gaussian)) with { Optimizer = null, Steps = 1 };
        if (c.Network.Loss.Reduction != Reduction.Mean || !(c.Network.Loss is CrossEntropy || c.Network.Layers[^1].Units == 1))
        {
            c = c with { Network = c.Network with { Loss = new CrossEntropy() }, Batches = [ProbabilityTargets(c)] };
        }

        Batch<double> batch = c.Batches[0];
        int m = batch.X.Rows;
        StepRecord<double> whole = Trainer.Run(c with { Batches = [batch] }, DType.Float64)[0];
        var perSample = Enumerable.Range(0, m).Select(i => Trainer.Run(c with
        {
            Batches = [new Batch<double>(Row(batch.X, i), Row(batch.Y, i), batch.Targets)],
        }, DType.Float64)[0]).ToArray();

        for (int l = 0; l < whole.Layers.Count; l++)
        {
            double[] mean = new double[whole.Layers[l].GradWeight.Data.Length];
            foreach (StepRecord<double> s in perSample)
            {
                for (int k = 0; k < mean.Length; k++) mean[k] += s.Layers[l].GradWeight.Data[k] / m;
            }

            QuantityComparison.Compare($"layer {l + 1} gradWeight", mean, whole.Layers[l].GradWeight.Data, Tolerance.Float64).Passed.ShouldBeTrue();
        }

        return true;
    }

    [Property(MaxTest = 100, Replay = "(2718281828,3141592653)")]
    public bool Sum_Reduction_Gradient_Is_N_Times_The_Mean_Gradient(int seed)
    {
        // N is what the mean divides by: the element count, or the sample count for cross_entropy.
        TrainingCase c = RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 5, MaxBatch: 4, MaxInputs: 5, MaxSteps: 3, Regime: ValueRegime.Gaussian)) with { Optimizer = null, Steps = 1 };
        Loss mean = c.Network.Loss.With(Reduction.Mean, 1), sum = c.Network.Loss.With(Reduction.Sum, 1);
        Batch<double> batch = c.Batches[0];
        int n = mean is CrossEntropy ? batch.X.Rows : batch.X.Rows * c.Network.Layers[^1].Units;
        StepRecord<double> byMean = Trainer.Run(c with { Network = c.Network with { Loss = mean } }, DType.Float64)[0];
        StepRecord<double> bySum = Trainer.Run(c with { Network = c.Network with { Loss = sum } }, DType.Float64)[0];
        for (int l = 0; l < byMean.Layers.Count; l++)
        {
            double[] scaled = byMean.Layers[l].GradWeight.Data.Select(g => g * n).ToArray();
            QuantityComparison.Compare($"layer {l + 1} gradWeight", bySum.Layers[l].GradWeight.Data, scaled, Tolerance.Float64).Passed.ShouldBeTrue();
        }

        return true;
    }

    private static Matrix<double> Row(Matrix<double> m, int i) => new(1, m.Cols, m.Row(i).ToArray());

    private static Batch<double> ProbabilityTargets(TrainingCase c)
    {
        Batch<double> b = c.Batches[0];
        int outputs = c.Network.Layers[^1].Units;
        var y = new Matrix<double>(b.X.Rows, outputs);
        for (int i = 0; i < y.Rows; i++) y[i, i % outputs] = 1;
        return new Batch<double>(b.X, y, TargetKind.Values);
    }
}
