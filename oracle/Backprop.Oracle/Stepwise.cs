using System.Numerics;
using Backprop.Core;
using Backprop.Core.Kernels;
using Backprop.Verification;
using Backprop.Core.Optimizers;

namespace Backprop.Oracle;

/// <summary>
/// The core against libtorch one operation at a time. Each quantity the core computes here gets
/// libtorch's own inputs for that operation: Zˡ from libtorch's Aˡ⁻¹ and the step's weights, Aˡ from
/// libtorch's Zˡ, ∂J/∂Zˡ from libtorch's Zˡ, Aˡ and ∂J/∂Aˡ, the weight gradients from libtorch's ∂J/∂Zˡ,
/// the update from libtorch's gradients (the optimizer's state carried by the core from step to
/// step). Each comparison is then one operation's rounding, under the dtype's tolerance, instead
/// of the whole network's rounding amplified by wherever the network is ill-conditioned (a
/// saturated sigmoid under BCE, a pre-activation next to a kink).
/// Thread-safe: each call makes its own libtorch session.
/// </summary>
public static class Stepwise
{
    /// <summary>Compares under <paramref name="tolerance"/>, by default the dtype's.</summary>
    public static IReadOnlyList<QuantityComparison> Compare(
        TrainingCase trainingCase, DType dtype, IReadOnlyList<StepRecord<double>> torch, Tolerance? tolerance = null)
        => dtype == DType.Float32
            ? Compare<float>(trainingCase, torch, tolerance ?? Tolerance.Float32)
            : Compare<double>(trainingCase, torch, tolerance ?? Tolerance.Float64);

    private static IReadOnlyList<QuantityComparison> Compare<T>(TrainingCase c, IReadOnlyList<StepRecord<double>> torch, Tolerance tolerance)
        where T : IFloatingPointIeee754<T>
    {
        var results = new List<QuantityComparison>();
        Layout layout = c.Layout;
        SampleAxis samples = layout.Samples;
        NetworkSpec spec = c.Network;
        Optimizer<T>? optimizer = c.Optimizer?.Create<T>();
        IReadOnlyList<LayerParameters<double>> before = c.Parameters;

        void Add(int step, int? layer, string name, Matrix<T> actual, Matrix<double> expected)
            => results.Add(QuantityComparison.Compare(Name(step, layer, name), expected, actual.Convert<double>(), tolerance) with { Step = step, Layer = layer, Name = name });

        void AddVector(int step, int? layer, string name, T[] actual, double[] expected)
            => results.Add(QuantityComparison.Compare(Name(step, layer, name), expected, Array.ConvertAll(actual, double.CreateTruncating), tolerance) with { Step = step, Layer = layer, Name = name });

        for (int k = 0; k < torch.Count; k++)
        {
            int step = k + 1;
            StepRecord<double> t = torch[k];
            Batch<T> batch = c.BatchOfStep(k).Convert<T>();
            Matrix<T> input(int l) => l == 0 ? batch.X : t.Layers[l - 1].A.Convert<T>();

            for (int l = 1; l <= spec.Layers.Count; l++)
            {
                LayerRecord<double> tl = t.Layers[l - 1];
                Matrix<T> W = before[l - 1].Weight.Convert<T>();
                T[] b = Array.ConvertAll(before[l - 1].Bias, T.CreateTruncating);
                var z = new Matrix<T>(tl.Z.Rows, tl.Z.Cols);
                DenseFormulas.Forward(layout, W, b, input(l - 1), z, KernelOptions.Default);
                Add(step, l, "z", z, tl.Z);

                var a = new Matrix<T>(tl.A.Rows, tl.A.Cols);
                spec.Layers[l - 1].Activation.Forward(tl.Z.Convert<T>(), a, samples);
                Add(step, l, "a", a, tl.A);
            }

            Matrix<T> output = t.Layers[^1].A.Convert<T>();
            T cost = spec.Loss.Cost(output, batch.Y, batch.Targets, samples);
            results.Add(QuantityComparison.Compare(Name(step, null, "cost"), t.Cost, double.CreateTruncating(cost), tolerance) with { Step = step, Name = "cost" });
            var gradOutput = new Matrix<T>(output.Rows, output.Cols);
            spec.Loss.Gradient(output, batch.Y, gradOutput, batch.Targets, samples);
            Add(step, spec.Layers.Count, "gradA", gradOutput, t.Layers[^1].GradA);

            var gradients = new List<T[]>();
            for (int l = spec.Layers.Count; l >= 1; l--)
            {
                LayerRecord<double> tl = t.Layers[l - 1];
                var dZ = new Matrix<T>(tl.Z.Rows, tl.Z.Cols);
                spec.Layers[l - 1].Activation.Backward(tl.Z.Convert<T>(), tl.A.Convert<T>(), tl.GradA.Convert<T>(), dZ, samples);
                Add(step, l, "gradZ", dZ, tl.GradZ);

                Matrix<T> W = before[l - 1].Weight.Convert<T>();
                var dW = new Matrix<T>(W.Rows, W.Cols);
                var db = new T[tl.GradBias.Length];
                Matrix<T>? dA = l > 1 ? new Matrix<T>(t.Layers[l - 2].A.Rows, t.Layers[l - 2].A.Cols) : null;
                DenseFormulas.Backward(layout, tl.GradZ.Convert<T>(), input(l - 1), W, dW, db, dA, KernelOptions.Default);
                Add(step, l, "gradWeight", dW, tl.GradWeight);
                AddVector(step, l, "gradBias", db, tl.GradBias);
                if (dA is not null)
                {
                    Add(step, l - 1, "gradA", dA, t.Layers[l - 2].GradA);
                }
            }

            if (optimizer is not null && t.Parameters is { } after)
            {
                T[][] p = before.SelectMany(x => new[] { Array.ConvertAll(x.Weight.Data, T.CreateTruncating), Array.ConvertAll(x.Bias, T.CreateTruncating) }).ToArray();
                T[][] g = t.Layers.SelectMany(x => new[] { Array.ConvertAll(x.GradWeight.Data, T.CreateTruncating), Array.ConvertAll(x.GradBias, T.CreateTruncating) }).ToArray();
                optimizer.Step(p, g);
                for (int l = 0; l < after.Count; l++)
                {
                    Add(step, l + 1, "weight after update", new Matrix<T>(after[l].Weight.Rows, after[l].Weight.Cols, p[2 * l]), after[l].Weight);
                    AddVector(step, l + 1, "bias after update", p[(2 * l) + 1], after[l].Bias);
                }

                before = after;
            }
        }

        return results;
    }

    private static string Name(int step, int? layer, string name) => layer is null ? $"step {step} {name}" : $"step {step} layer {layer} {name}";
}
