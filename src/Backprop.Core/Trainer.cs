using System.Numerics;
using Backprop.Core.Kernels;
using Backprop.Core.Optimizers;

namespace Backprop.Core;

/// <summary>Runs a <see cref="TrainingCase"/> through the core: forward, backward and update, step by step. Thread-safe: each run has its own session.</summary>
public static class Trainer
{
    public static IReadOnlyList<StepRecord<T>> Run<T>(TrainingCase trainingCase)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trainingCase);
        trainingCase.Validate();
        var session = new TrainingSession<T>(trainingCase);
        Batch<T>[] batches = trainingCase.Batches.Select(b => b.Convert<T>()).ToArray();
        return Enumerable.Range(0, trainingCase.Steps).Select(k => session.Step(batches[k % batches.Length])).ToArray();
    }

    /// <summary>Runs the case in the given dtype and widens the records to double for comparison.</summary>
    public static IReadOnlyList<StepRecord<double>> Run(TrainingCase trainingCase, DType dtype)
        => dtype == DType.Float32
            ? Run<float>(trainingCase).Select(s => s.ToDouble()).ToArray()
            : Run<double>(trainingCase);
}

/// <summary>
/// A network and its optimizer, stepped one batch at a time: what <see cref="Trainer"/> runs, and
/// what a long training run (thousands of minibatches) uses directly. Not thread-safe: a step
/// changes the parameters, the optimizer's state and the workspace, so a step from a second
/// thread while one runs throws <see cref="InvalidOperationException"/> instead of mixing them.
/// </summary>
public sealed class TrainingSession<T>
    where T : IFloatingPointIeee754<T>
{
    private readonly Optimizer<T>? optimizer;
    private int busy;

    /// <summary>Starts from the case's spec, parameters, layout and optimizer (its batches and steps are not used), with the default kernel options (one thread).</summary>
    public TrainingSession(TrainingCase trainingCase)
        : this(trainingCase, KernelOptions.Default)
    {
    }

    /// <summary>The same, with the kernels run as <paramref name="kernels"/> say: the same numbers, bit for bit, on any thread count.</summary>
    public TrainingSession(TrainingCase trainingCase, KernelOptions kernels)
    {
        ArgumentNullException.ThrowIfNull(trainingCase);
        ArgumentNullException.ThrowIfNull(kernels);
        Network = new Network<T>(trainingCase.Network, trainingCase.Parameters.Select(p => p.Convert<T>()).ToArray(), trainingCase.Layout);
        Kernels = kernels;
        optimizer = trainingCase.Optimizer?.Create<T>(kernels);
    }

    public Network<T> Network { get; }

    /// <summary>How this session's products and updates run (threads, path).</summary>
    public KernelOptions Kernels { get; }

    private Workspace<T>? workspace;
    private T[][]? parameterTensors, gradientTensors;

    /// <summary>
    /// Forward, backward and (with an optimizer) one update, reporting only the cost: the
    /// training loop for long runs and benchmarks. It keeps one <see cref="Workspace{T}"/> per
    /// batch size in turn, so once the batch size settles a step allocates nothing. The numbers
    /// are those of <see cref="Step"/>, which records everything instead.
    /// </summary>
    public T Train(Batch<T> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Enter();
        try
        {
            return TrainOne(batch);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private T TrainOne(Batch<T> batch)
    {
        int samples = Network.CheckInputs(batch.X);
        if (workspace is null || workspace.Samples != samples)
        {
            workspace = new Workspace<T>(Network, samples, Kernels);
            parameterTensors = Network.Parameters.SelectMany(p => new[] { p.Weight.Data, p.Bias }).ToArray();
            gradientTensors = Enumerable.Range(1, Network.Spec.Layers.Count).SelectMany(l => new[] { workspace.dW[l].Data, workspace.db[l] }).ToArray();
        }

        T cost = Backpropagation.ForwardBackward(Network, batch, workspace);
        optimizer?.Step(parameterTensors!, gradientTensors!);
        return cost;
    }

    /// <summary>Forward, backward and (with an optimizer) one update; the record carries the parameters after it.</summary>
    public StepRecord<T> Step(Batch<T> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Enter();
        try
        {
            return StepOne(batch);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>A cheap guard: one step at a time, or a clear error.</summary>
    private void Enter()
    {
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException(
                "this TrainingSession is already running a step on another thread; a session trains one network one step at a time, so give each thread its own session");
        }
    }

    private StepRecord<T> StepOne(Batch<T> batch)
    {
        StepRecord<T> step = Backpropagation.ForwardBackward(Network, batch);
        if (optimizer is null)
        {
            return step;
        }

        optimizer.Step(
            Network.Parameters.SelectMany(p => new[] { p.Weight.Data, p.Bias }).ToArray(),
            step.Layers.SelectMany(l => new[] { l.GradWeight.Data, l.GradBias }).ToArray());
        return step with { Parameters = Network.Parameters.Select(p => p.DeepCopy()).ToArray() };
    }
}

