using System.Numerics;

namespace Backprop.Core.Losses;

/// <summary>How a loss folds its per-element values into one cost, as PyTorch's <c>reduction</c>.</summary>
public enum Reduction
{
    /// <summary>The sum divided by the number of elements.</summary>
    Mean,

    /// <summary>The plain sum.</summary>
    Sum,
}

/// <summary>
/// A loss J = scale · reduce(ℓ(output, target)) with its gradient ∂J/∂output beside it. Each one
/// computes exactly what the <c>torch.nn.functional</c> loss of the same name computes.
/// </summary>
public abstract class Loss
{
    protected Loss(Reduction reduction, double scale)
    {
        if (!double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "a loss scale must be finite");
        }

        Reduction = reduction;
        Scale = scale;
    }

    /// <summary>The name used in fixtures (PyTorch's functional name).</summary>
    public abstract string Name { get; }

    public Reduction Reduction { get; }

    /// <summary>Multiplies the reduced loss; ½·Σ(ŷ−y)² is mse_loss with sum and scale 0.5.</summary>
    public double Scale { get; }

    /// <summary>The cost J for a batch of outputs and targets of the same shape.</summary>
    public abstract T Cost<T>(Matrix<T> output, Matrix<T> target)
        where T : IFloatingPointIeee754<T>;

    /// <summary>Writes ∂J/∂output into <paramref name="gradient"/>, shaped like the output.</summary>
    public abstract void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient)
        where T : IFloatingPointIeee754<T>;

    public override string ToString() => Reduction == Reduction.Mean && Scale == 1
        ? Name
        : $"{Name} ({Reduction.ToString().ToLowerInvariant()}{(Scale == 1 ? "" : $", scale {Scale}")})";

    protected static void CheckSameShape<T>(Matrix<T> output, Matrix<T> target, string targetName)
        where T : INumberBase<T>
    {
        if (output.Rows != target.Rows || output.Cols != target.Cols)
        {
            throw new ArgumentException(
                $"the {targetName} is {target.Shape} but the network's output is {output.Shape}; they must have the same shape");
        }
    }

    /// <summary>Applies the reduction and the scale to a sum of per-element losses.</summary>
    protected T Reduce<T>(T sum, int count)
        where T : IFloatingPointIeee754<T>
    {
        T reduced = Reduction == Reduction.Mean ? sum / T.CreateChecked(count) : sum;
        return Scale == 1 ? reduced : reduced * T.CreateChecked(Scale);
    }
}
