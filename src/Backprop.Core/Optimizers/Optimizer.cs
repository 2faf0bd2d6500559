using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Optimizers;

/// <summary>
/// An optimizer's settings, named and defaulted as in <c>torch.optim</c>. <see cref="Create{T}()"/>
/// makes a fresh optimizer whose state (momentum buffers, moments) carries over between steps.
/// </summary>
public abstract record OptimizerSpec : IVocabularyItem
{
    /// <summary>The name used in fixtures (<c>torch.optim</c>'s class name, lower case).</summary>
    public abstract string Name { get; }

    /// <summary>Every argument of the torch.optim constructor but the parameters, in its order.</summary>
    public abstract IReadOnlyList<Setting> Settings { get; }

    public abstract Optimizer<T> Create<T>()
        where T : IFloatingPointIeee754<T>;

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
/// be kept by position.
/// </summary>
public abstract class Optimizer<T>
    where T : IFloatingPointIeee754<T>
{
    /// <summary>How the updates' kernels run: set by <see cref="OptimizerSpec.Create{T}(KernelOptions)"/>, else the defaults.</summary>
    public KernelOptions Kernels { get; internal set; } = KernelOptions.Default;

    public abstract void Step(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients);

    protected static void CheckPairs(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
    {
        if (parameters.Count != gradients.Count)
        {
            throw new ArgumentException($"{parameters.Count} parameter tensors but {gradients.Count} gradients");
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Length != gradients[i].Length)
            {
                throw new ArgumentException(
                    $"parameter tensor {i} has {parameters[i].Length} elements but its gradient has {gradients[i].Length}");
            }
        }
    }
}
