using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Oracle.Tests;

/// <summary>Small, seeded cases for comparing one activation, loss or optimizer with libtorch.</summary>
public static class Cases
{
    /// <summary>Each name paired with float32 and with float64, for theories run in both dtypes.</summary>
    public static TheoryData<string, DType> InBothDTypes(IEnumerable<string> names)
    {
        var data = new TheoryData<string, DType>();
        foreach (string name in names)
        {
            data.Add(name, DType.Float32);
            data.Add(name, DType.Float64);
        }

        return data;
    }

    /// <summary>Every activation the core has, with non-default parameters too: each registered kind's examples, by their names.</summary>
    public static IReadOnlyDictionary<string, Activation> Activations { get; } =
        Vocabulary.Activations.SelectMany(k => k.Examples).ToDictionary(a => a.ToString());

    /// <summary>
    /// One layer probing an activation at chosen pre-activations: 1 input, W a column of ones and
    /// b = <paramref name="biases"/>, so Z[i, j] = x[i] + b[j] exactly for dyadic values (and
    /// identically rounded on both sides otherwise). An MSE (sum) cost against fixed targets sends
    /// gradient back through every element, and one SGD step checks the update.
    /// </summary>
    public static TrainingCase Probe(Activation activation, double[] samples, double[] biases)
    {
        int n = samples.Length, k = biases.Length;
        var targets = new Matrix<double>(n, k);
        for (int i = 0; i < targets.Data.Length; i++)
        {
            targets.Data[i] = ((i % 5) - 2) / 4.0;
        }

        return new TrainingCase(
            new NetworkSpec(1, [new LayerSpec(k, activation)], new MseLoss(Reduction.Sum)),
            [new LayerParameters<double>(new Matrix<double>(k, 1, Enumerable.Repeat(1.0, k).ToArray()), biases)],
            [new Batch<double>(new Matrix<double>(n, 1, samples), targets, TargetKind.Values)],
            new Sgd(0.125));
    }

    /// <summary>
    /// A small dense network with random weights (uniform in ±1/√fan-in, as nn.Linear) and inputs
    /// in [−2, 2]. Inner dimensions stay at most 3: libtorch's float32 GEMM then sums in the same
    /// order as a plain loop (measured; from 5 on it does not), so float32 differences come only
    /// from the elementwise functions.
    /// </summary>
    public static TrainingCase Network(
        int seed, Activation hidden, Activation output, int outputs, Loss loss, OptimizerSpec? optimizer,
        int steps = 3, bool classIndices = false, int batch = 3)
    {
        var random = new Random(seed);
        int[] widths = [3, 3, 3, outputs];
        var spec = new NetworkSpec(
            widths[0],
            [new LayerSpec(widths[1], hidden), new LayerSpec(widths[2], hidden), new LayerSpec(outputs, output)],
            loss);
        var parameters = Enumerable.Range(1, 3).Select(l =>
        {
            double bound = 1 / Math.Sqrt(widths[l - 1]);
            var w = new Matrix<double>(widths[l], widths[l - 1]);
            for (int i = 0; i < w.Data.Length; i++) w.Data[i] = Uniform(random, bound);
            return new LayerParameters<double>(w, Enumerable.Range(0, widths[l]).Select(_ => Uniform(random, bound)).ToArray());
        }).ToArray();

        Batch<double> MakeBatch()
        {
            var x = new Matrix<double>(batch, widths[0]);
            for (int i = 0; i < x.Data.Length; i++) x.Data[i] = Uniform(random, 2);
            if (classIndices)
            {
                return new Batch<double>(x, new Matrix<double>(batch, 1, Enumerable.Range(0, batch).Select(_ => (double)random.Next(outputs)).ToArray()), TargetKind.ClassIndices);
            }

            var y = new Matrix<double>(batch, outputs);
            for (int i = 0; i < batch; i++)
            {
                Span<double> row = y.Row(i);
                for (int j = 0; j < outputs; j++) row[j] = loss is MseLoss ? Uniform(random, 1) : random.NextDouble();
                if (loss is CrossEntropy)
                {
                    double sum = row.ToArray().Sum();
                    for (int j = 0; j < outputs; j++) row[j] /= sum; // probabilities
                }
            }

            return new Batch<double>(x, y, TargetKind.Values);
        }

        return new TrainingCase(spec, parameters, [MakeBatch(), MakeBatch()], optimizer, steps);
    }

    private static double Uniform(Random random, double bound) => ((random.NextDouble() * 2) - 1) * bound;
}
