using System.Globalization;
using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Optimizers;

/// <summary>
/// An optimizer's settings, named and defaulted as in <c>torch.optim</c>. <see cref="Create{T}()"/>
/// makes a fresh optimizer whose state (momentum buffers, moments) carries over between steps.
/// Thread-safe: immutable.
/// </summary>
public abstract record OptimizerSpec : IVocabularyItem
{
    /// <summary>The name used in fixtures (<c>torch.optim</c>'s class name, lower case).</summary>
    public abstract string Name { get; }

    /// <summary>Every argument of the torch.optim constructor but the parameters, in its order.</summary>
    public abstract IReadOnlyList<Setting> Settings { get; }

    public abstract Optimizer<T> Create<T>()
        where T : IFloatingPointIeee754<T>;

    /// <summary>As torch.optim's constructor would be called, every setting named: <c>sgd(lr=0.05, momentum=0.9, …)</c>.</summary>
    public sealed override string ToString() => $"{Name}({string.Join(", ", Settings.Select(s => $"{s.Name}={Format(s.Value)}"))})";

    private static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        double[] pair => $"({string.Join(", ", pair.Select(p => Format(p)))})",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A fresh optimizer whose updates run as <paramref name="kernels"/> say (on how many threads).</summary>
    public Optimizer<T> Create<T>(KernelOptions kernels)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(kernels);
        Optimizer<T> optimizer = Create<T>();
        optimizer.Kernels = kernels;
        return optimizer;
    }

    /// <summary>Throws an <see cref="ArgumentException"/>, worded as torch.optim's, for settings it refuses.</summary>
    public abstract void Validate();

    /// <summary>
    /// <see cref="Validate()"/>, and then every scalar an update multiplies by must fit
    /// <paramref name="dtype"/>: in float32, lr = 1e39 would turn every weight into ±∞ without a
    /// word, and libtorch refuses it ("value cannot be converted to type float without
    /// overflow"). <see cref="Create{T}()"/> checks this for its T.
    /// </summary>
    public void Validate(DType dtype)
    {
        Validate();
        double max = dtype.MaxFinite();
        string largest = dtype == DType.Float32 ? ((float)max).ToString("R", CultureInfo.InvariantCulture) : max.ToString("R", CultureInfo.InvariantCulture);
        foreach ((string what, double value) in Scalars)
        {
            Require(
                !(Math.Abs(value) > max),
                $"{what} is {value.ToString("R", CultureInfo.InvariantCulture)}, which does not fit {dtype.ToName()} (largest finite value {largest}): an update would make the parameters ±∞; libtorch refuses it too");
        }
    }

    /// <summary>The scalars an update multiplies by, as libtorch's optimizer passes them to its tensor operations, each with its name (none by default).</summary>
    protected virtual IEnumerable<(string What, double Value)> Scalars => [];

    protected static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>
/// Updates parameters in place from their gradients. Parameters come in PyTorch's
/// <c>model.parameters()</c> order, W¹, b¹, W², b², …, the same order on every step, so state can
/// be kept by position: an optimizer belongs to one set of tensors, and refuses tensors of
/// another count or size. Not thread-safe: its state changes with every step, so a step from a
/// second thread while one runs throws <see cref="InvalidOperationException"/>.
/// </summary>
public abstract class Optimizer<T>
    where T : IFloatingPointIeee754<T>
{
    private int[]? sizes;
    private int busy;

    /// <summary>How the updates' kernels run: set by <see cref="OptimizerSpec.Create{T}(KernelOptions)"/>, else the defaults.</summary>
    public KernelOptions Kernels { get; internal set; } = KernelOptions.Default;

    /// <summary>
    /// One update of every parameter tensor from its gradient, in place. Throws
    /// <see cref="ArgumentNullException"/> for a null list or tensor, and
    /// <see cref="ArgumentException"/> for lists of different counts, a tensor whose gradient has
    /// another size, or tensors of another count or size than on the first step.
    /// </summary>
    public void Step(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
    {
        CheckPairs(parameters, gradients);
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException(
                $"{GetType().Name}.Step was called from a second thread while a step was running; an optimizer's state belongs to one training loop at a time");
        }

        try
        {
            CheckSameTensors(parameters);
            Update(parameters, gradients);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>The update itself, on tensors already checked to pair up and to be the ones of every step.</summary>
    protected abstract void Update(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients);

    private static void CheckPairs(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (parameters.Count != gradients.Count)
        {
            throw new ArgumentException($"{parameters.Count} parameter tensors but {gradients.Count} gradients");
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i] is null)
            {
                throw new ArgumentNullException(nameof(parameters), $"parameter tensor {i} is null");
            }

            if (gradients[i] is null)
            {
                throw new ArgumentNullException(nameof(gradients), $"gradient {i} is null");
            }

            if (parameters[i].Length != gradients[i].Length)
            {
                throw new ArgumentException(
                    $"parameter tensor {i} has {parameters[i].Length} elements but its gradient has {gradients[i].Length}");
            }
        }
    }

    /// <summary>The first step fixes the tensors' count and sizes; the state kept by position is theirs.</summary>
    private void CheckSameTensors(IReadOnlyList<T[]> parameters)
    {
        if (sizes is null)
        {
            sizes = parameters.Select(p => p.Length).ToArray();
            return;
        }

        if (parameters.Count != sizes.Length)
        {
            throw new ArgumentException(
                $"this optimizer was first stepped on {sizes.Length} parameter tensors, now on {parameters.Count}; its state (momentum, moments) belongs to those tensors, so create a new optimizer for another network",
                nameof(parameters));
        }

        for (int i = 0; i < sizes.Length; i++)
        {
            if (parameters[i].Length != sizes[i])
            {
                throw new ArgumentException(
                    $"parameter tensor {i} has {parameters[i].Length} elements, but had {sizes[i]} on this optimizer's first step; its state belongs to those tensors, so create a new optimizer for another network",
                    nameof(parameters));
            }
        }
    }
}
