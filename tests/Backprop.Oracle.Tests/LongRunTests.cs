using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Testing;
using Xunit.Abstractions;

namespace Backprop.Oracle.Tests;

/// <summary>
/// Many steps on real data: the core and libtorch train the same network from the same weights
/// on the same minibatches, and their parameters are compared after every step.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class LongRunTests(ITestOutputHelper output)
{
    private const int Steps = 500;

    /// <summary>
    /// The largest normwise relative divergence over every parameter tensor and every step:
    /// max ‖p_core − p_torch‖∞ / ‖p_torch‖∞.
    /// </summary>
    private static double MaxDivergence(DType dtype, OptimizerSpec optimizer, out double finalCost)
    {
        (Dataset train, _) = Dataset.Load("breast-cancer", Path.Combine(Agreement.RepositoryRoot(), "fixtures", "data")).Split(0.2, seed: 1);
        var random = new Random(2);
        double Uniform(double bound) => ((random.NextDouble() * 2) - 1) * bound;
        var spec = new NetworkSpec(30, [new LayerSpec(16, Relu.Instance), new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy());
        LayerParameters<double>[] parameters = spec.Layers.Select((l, i) =>
        {
            int fanIn = spec.InputsOf(i + 1);
            var w = new Matrix<double>(l.Units, fanIn);
            for (int k = 0; k < w.Data.Length; k++) w.Data[k] = Uniform(1 / Math.Sqrt(fanIn));
            return new LayerParameters<double>(w, Enumerable.Range(0, l.Units).Select(_ => Uniform(1 / Math.Sqrt(fanIn))).ToArray());
        }).ToArray();
        var trainingCase = new TrainingCase(spec, parameters, [], optimizer);

        // Minibatches of 32 in a fresh seeded order each epoch.
        var batches = new List<Batch<double>>();
        while (batches.Count < Steps)
        {
            int[] order = Enumerable.Range(0, train.Labels.Length).ToArray();
            random.Shuffle(order);
            for (int s = 0; s + 32 <= order.Length && batches.Count < Steps; s += 32)
            {
                int[] rows = order[s..(s + 32)];
                var x = new Matrix<double>(32, 30);
                for (int r = 0; r < 32; r++) train.Features.Row(rows[r]).CopyTo(x.Row(r));
                batches.Add(new Batch<double>(x, new Matrix<double>(32, 1, rows.Select(r => (double)train.Labels[r]).ToArray())));
            }
        }

        using var torch = new TorchSession(trainingCase, dtype);
        return dtype == DType.Float32
            ? Drift<float>(trainingCase, batches, torch, out finalCost)
            : Drift<double>(trainingCase, batches, torch, out finalCost);
    }

    /// <summary>Steps the core and libtorch over the same batches; the largest divergence after any step.</summary>
    private static double Drift<T>(TrainingCase trainingCase, IEnumerable<Batch<double>> batches, TorchSession torch, out double finalCost)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var core = new TrainingSession<T>(trainingCase);
        double worst = 0;
        finalCost = double.NaN;
        foreach (Batch<double> b in batches)
        {
            StepRecord<double> c = core.Step(b.Convert<T>()).ToDouble();
            worst = Math.Max(worst, Divergence(c.Parameters!, torch.Step(b).Parameters!));
            finalCost = c.Cost;
        }

        return worst;
    }

    private static double Divergence(IReadOnlyList<LayerParameters<double>> core, IReadOnlyList<LayerParameters<double>> torch)
    {
        static double Norm(IEnumerable<double> v) => v.Max(Math.Abs);
        return core.Zip(torch).Max(p => Math.Max(
            Norm(p.First.Weight.Data.Zip(p.Second.Weight.Data, (a, b) => a - b)) / Norm(p.Second.Weight.Data),
            Norm(p.First.Bias.Zip(p.Second.Bias, (a, b) => a - b)) / Norm(p.Second.Bias)));
    }

    public static TheoryData<string> Optimizers => new("sgd", "adam");

    private static OptimizerSpec Optimizer(string name) => name == "sgd" ? new Sgd(0.1, Momentum: 0.9) : new Adam(0.01);

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Float64_Parameters_Stay_Within_1e_9_Relative_Of_Libtorch_Over_500_Steps(string optimizer)
    {
        double divergence = MaxDivergence(DType.Float64, Optimizer(optimizer), out double cost);
        output.WriteLine($"float64 {optimizer}: max relative divergence {divergence:E2} over {Steps} steps; final training cost {cost:F4}");
        divergence.ShouldBeLessThanOrEqualTo(1e-9);
        cost.ShouldBeLessThan(0.2, "the network should learn the data");
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Float32_Parameters_Stay_Within_1e_5_Relative_Of_Libtorch_Over_500_Steps(string optimizer)
    {
        // float32's unit roundoff is 6e-8, and libtorch sums its GEMMs (k = 30 and 32 here) in
        // another order, so each step differs by a few roundoffs. Measured over 500 steps: 4.2e-7
        // (SGD with momentum) and 3.7e-7 (Adam), i.e. the drift does not compound. The bound, 1e-5,
        // is about 25 times the measurement: a bound on drift, not a per-step tolerance.
        double divergence = MaxDivergence(DType.Float32, Optimizer(optimizer), out double cost);
        output.WriteLine($"float32 {optimizer}: max relative divergence {divergence:E2} over {Steps} steps; final training cost {cost:F4}");
        divergence.ShouldBeLessThanOrEqualTo(1e-5);
    }
}
