using System.Numerics;
using Backprop.Core.Optimizers;

namespace Backprop.Core;

/// <summary>Runs a <see cref="TrainingCase"/> through the core: forward, backward and update, step by step.</summary>
public static class Trainer
{
    public static IReadOnlyList<StepRecord<T>> Run<T>(TrainingCase trainingCase)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trainingCase);
        trainingCase.Validate();
        var network = new Network<T>(trainingCase.Network, trainingCase.Parameters.Select(p => p.Convert<T>()).ToArray(), trainingCase.Layout);
        Batch<T>[] batches = trainingCase.Batches.Select(b => b.Convert<T>()).ToArray();
        Optimizer<T>? optimizer = trainingCase.Optimizer?.Create<T>();

        var steps = new StepRecord<T>[trainingCase.Steps];
        for (int k = 0; k < steps.Length; k++)
        {
            Batch<T> batch = batches[k % batches.Length];
            StepRecord<T> step = Backpropagation.ForwardBackward(network, batch);
            if (optimizer is not null)
            {
                optimizer.Step(
                    network.Parameters.SelectMany(p => new[] { p.Weight.Data, p.Bias }).ToArray(),
                    step.Layers.SelectMany(l => new[] { l.GradWeight.Data, l.GradBias }).ToArray());
                step = step with { Parameters = network.Parameters.Select(p => p.DeepCopy()).ToArray() };
            }

            steps[k] = step;
        }

        return steps;
    }

    /// <summary>Runs the case in the given dtype and widens the records to double for comparison.</summary>
    public static IReadOnlyList<StepRecord<double>> Run(TrainingCase trainingCase, DType dtype)
        => dtype == DType.Float32
            ? Run<float>(trainingCase).Select(s => s.ToDouble()).ToArray()
            : Run<double>(trainingCase);
}
