using Backprop.Core;
using TorchSharp;
using static TorchSharp.torch;
using Linear = TorchSharp.Modules.Linear;
using Parameter = TorchSharp.Modules.Parameter;

namespace Backprop.Oracle;

/// <summary>
/// One network in libtorch, kept between steps: nn.Linear layers holding the case's starting
/// weights, and the torch.optim optimizer with its state. Each <see cref="Step"/> runs forward with
/// retain_grad() on every Z and A, the cost from torch.nn.functional, backward, and the update, and
/// frees that step's tensors. Works in PyTorch's layout (samples in rows, W out×in); callers turn
/// cases and records (TorchOracle.Run does). The case's batches and step count are not used.
/// Everything the core refuses is refused here in C#, in the core's words, before libtorch sees
/// it: shapes, settings, values that do not fit the dtype, class indices that are not whole
/// numbers in range, BCE targets outside [0, 1], and batches prepared by another session. Not
/// thread-safe: libtorch's autograd state and the optimizer's change with every call, so a call
/// from a second thread while one runs throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class TorchSession : IDisposable
{
    private int busy;
    private bool disposed;

    private readonly NetworkSpec spec;
    private readonly ScalarType scalarType;
    private readonly Linear[] linears;
    private readonly Parameter[] parameters;
    private readonly optim.Optimizer? optimizer;
    private readonly Network<double> shapes;

    public TorchSession(TrainingCase trainingCase, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(trainingCase);
        if (trainingCase.Layout != Layout.RowsOutIn)
        {
            throw new ArgumentException($"a TorchSession works in PyTorch's layout, samples=rows, weights=out-in, not {trainingCase.Layout}");
        }

        // Shapes and settings are checked in C#, here and for every batch in Step: libtorch aborts
        // the process on some shape errors instead of throwing.
        shapes = new Network<double>(trainingCase.Network, trainingCase.Parameters, trainingCase.Layout);
        trainingCase.Optimizer?.Validate(dtype);
        TorchOracle.CheckSupported(trainingCase);
        spec = trainingCase.Network;
        scalarType = dtype == DType.Float32 ? ScalarType.Float32 : ScalarType.Float64;
        linears = spec.Layers.Select((layer, i) => nn.Linear(spec.InputsOf(i + 1), layer.Units, hasBias: true, dtype: scalarType)).ToArray();
        using (NewDisposeScope())
        using (no_grad())
        {
            for (int i = 0; i < linears.Length; i++)
            {
                linears[i].weight!.copy_(TorchOracle.ToTensor(trainingCase.Parameters[i].Weight, scalarType));
                linears[i].bias!.copy_(TorchOracle.ToTensor(trainingCase.Parameters[i].Bias, scalarType));
            }
        }

        parameters = linears.SelectMany(l => new[] { l.weight!, l.bias! }).ToArray();
        optimizer = TorchOracle.CreateOptimizer(trainingCase.Optimizer, parameters);
    }

    /// <summary>One training step on <paramref name="batch"/>, reported as the core reports it.</summary>
    public StepRecord<double> Step(Batch<double> batch)
    {
        Enter();
        try
        {
            return StepOne(batch);
        }
        finally
        {
            Exit();
        }
    }

    private StepRecord<double> StepOne(Batch<double> batch)
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor x, Tensor y) = ToTensors(batch);
        ZeroGradients();
        var zs = new Tensor[linears.Length];
        var activations = new Tensor[linears.Length];
        Tensor cost = NoCollection.Run(() =>
        {
            Tensor a = x;
            for (int i = 0; i < linears.Length; i++)
            {
                zs[i] = linears[i].forward(a);
                zs[i].retain_grad();
                a = TorchOracle.Activate(spec.Layers[i].Activation, zs[i]);
                a.retain_grad();
                activations[i] = a;
            }

            Tensor c = TorchOracle.Cost(spec.Loss, a, y);
            c.backward();
            return c;
        });

        var layers = new LayerRecord<double>[linears.Length];
        for (int i = 0; i < linears.Length; i++)
        {
            layers[i] = new LayerRecord<double>(
                TorchOracle.ToMatrix(zs[i]), TorchOracle.ToMatrix(activations[i]), TorchOracle.ToMatrix(activations[i].grad!), TorchOracle.ToMatrix(zs[i].grad!),
                TorchOracle.ToMatrix(linears[i].weight!.grad!), TorchOracle.ToVector(linears[i].bias!.grad!));
        }

        IReadOnlyList<LayerParameters<double>>? updated = null;
        if (optimizer is not null)
        {
            NoCollection.Run(() => optimizer.step());
            updated = CurrentParameters();
        }

        return new StepRecord<double>(TorchOracle.ToVector(cost.reshape(1))[0], layers, updated);
    }

    /// <summary>A batch copied into libtorch once, for loops that train on it many times (benchmarks).</summary>
    public TorchBatch Prepare(Batch<double> batch)
    {
        Enter();
        try
        {
            (Tensor x, Tensor y) = ToTensors(batch);
            return new TorchBatch(this, x, y);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// One plain training step, as a PyTorch loop writes it: zero the gradients, forward, cost,
    /// backward, update; nothing retained or copied out but the cost. What the benchmarks time.
    /// Not inside <see cref="NoCollection"/>: its forced collection per call would be timed too,
    /// and nothing checks these numbers.
    /// </summary>
    public double Train(TorchBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!ReferenceEquals(batch.Owner, this))
        {
            throw new ArgumentException(
                "this batch was prepared by another TorchSession; its tensors were checked against that session's network, so prepare it with this session's Prepare", nameof(batch));
        }

        ObjectDisposedException.ThrowIf(batch.Disposed, batch);
        Enter();
        try
        {
            using DisposeScope scope = NewDisposeScope();
            return TrainStep(batch.X, batch.Y);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// The same plain step on a batch given as matrices, guarded by <see cref="NoCollection"/>, for
    /// long runs that compare only the cost and the parameters (<see cref="Parameters"/>): none of
    /// <see cref="Step"/>'s Z, A and gradients are kept or copied out.
    /// </summary>
    public double Train(Batch<double> batch)
    {
        Enter();
        try
        {
            using DisposeScope scope = NewDisposeScope();
            (Tensor x, Tensor y) = ToTensors(batch);
            return NoCollection.Run(() => TrainStep(x, y));
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The network's output for the inputs <paramref name="x"/> (samples in rows), without gradients.</summary>
    public Matrix<double> Predict(Matrix<double> x)
    {
        shapes.CheckInputs(x);
        Enter();
        try
        {
            using DisposeScope scope = NewDisposeScope();
            using IDisposable noGrad = no_grad();
            Tensor input = TorchOracle.ToTensor(x, scalarType);
            return TorchOracle.ToMatrix(NoCollection.Run(() => Forward(input)));
        }
        finally
        {
            Exit();
        }
    }

    private double TrainStep(Tensor x, Tensor y)
    {
        ZeroGradients();
        Tensor cost = TorchOracle.Cost(spec.Loss, Forward(x), y);
        cost.backward();
        optimizer?.step();
        return cost.ToDouble();
    }

    private Tensor Forward(Tensor x)
    {
        Tensor a = x;
        for (int i = 0; i < linears.Length; i++)
        {
            a = TorchOracle.Activate(spec.Layers[i].Activation, linears[i].forward(a));
        }

        return a;
    }

    private void ZeroGradients()
    {
        foreach (Parameter p in parameters)
        {
            p.grad?.zero_();
        }
    }

    /// <summary>X and Y as tensors of the session's dtype (class indices as int64), after checking their shapes in C#.</summary>
    private (Tensor X, Tensor Y) ToTensors(Batch<double> batch)
    {
        shapes.CheckBatch(batch);
        Tensor x = TorchOracle.ToTensor(batch.X, scalarType);
        Tensor y = batch.ClassIndices
            ? tensor(batch.Y.Data.Select(v => (long)v).ToArray(), [batch.Y.Rows], ScalarType.Int64)
            : TorchOracle.ToTensor(batch.Y, scalarType);
        return (x, y);
    }

    /// <summary>The current parameters.</summary>
    public IReadOnlyList<LayerParameters<double>> Parameters()
    {
        Enter();
        try
        {
            return CurrentParameters();
        }
        finally
        {
            Exit();
        }
    }

    private IReadOnlyList<LayerParameters<double>> CurrentParameters()
    {
        using DisposeScope scope = NewDisposeScope();
        return linears.Select(l => new LayerParameters<double>(TorchOracle.ToMatrix(l.weight!), TorchOracle.ToVector(l.bias!))).ToArray();
    }

    /// <summary>Claims the session for one call, or throws when it is disposed or another thread holds it.</summary>
    private void Enter()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException(
                "this TorchSession is already in use on another thread; libtorch's autograd and the optimizer's state belong to one call at a time, so give each thread its own session");
        }
    }

    private void Exit() => Volatile.Write(ref busy, 0);

    public void Dispose()
    {
        disposed = true;
        optimizer?.Dispose();
        foreach (Linear linear in linears)
        {
            linear.Dispose();
        }
    }
}

/// <summary>
/// A batch's X and Y as libtorch tensors (see <see cref="TorchSession.Prepare"/>), for the session
/// that prepared it only. Not thread-safe: it belongs to its session.
/// </summary>
public sealed class TorchBatch : IDisposable
{
    internal TorchBatch(TorchSession owner, Tensor x, Tensor y) => (Owner, X, Y) = (owner, x, y);

    internal TorchSession Owner { get; }

    internal Tensor X { get; }

    internal Tensor Y { get; }

    internal bool Disposed { get; private set; }

    public void Dispose()
    {
        Disposed = true;
        X.Dispose();
        Y.Dispose();
    }
}
