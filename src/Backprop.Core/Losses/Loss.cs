using System.Numerics;

namespace Backprop.Core.Losses;

/// <summary>How a loss folds its per-element values into one cost, as PyTorch's <c>reduction</c>. Thread-safe: a value.</summary>
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
/// Thread-safe: immutable settings, and per-thread scratch.
/// </summary>
public abstract class Loss : IVocabularyItem
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

    /// <summary>reduction ("mean" or "sum") and scale; a loss may add its own (cross_entropy's label_smoothing).</summary>
    public virtual IReadOnlyList<Setting> Settings => [new("reduction", Reduction.ToString().ToLowerInvariant()), new("scale", Scale)];

    /// <summary>The same loss with another reduction and scale, its other settings kept.</summary>
    public Loss With(Reduction reduction, double scale)
    {
        var settings = Settings.ToDictionary(s => s.Name, s => s.Value);
        (settings["reduction"], settings["scale"]) = (reduction.ToString().ToLowerInvariant(), scale);
        return Vocabulary.KindOf(this).Create(settings);
    }

    /// <summary>PyTorch's reduction argument: "mean" or "sum".</summary>
    public static Reduction ReductionNamed(string reduction) => reduction switch
    {
        "mean" => Reduction.Mean,
        "sum" => Reduction.Sum,
        _ => throw new SettingException("reduction", $"expected \"mean\" or \"sum\", got \"{reduction}\""),
    };

    /// <summary>Multiplies the reduced loss; ½·Σ(ŷ−y)² is mse_loss with sum and scale 0.5.</summary>
    public double Scale { get; }

    /// <summary>
    /// The cost J for a batch whose samples lie along <paramref name="samples"/>. Targets are
    /// shaped like the output (<see cref="TargetKind.Values"/>), or, for losses that take them
    /// (cross_entropy), an n×1 column of class indices (<see cref="TargetKind.ClassIndices"/>).
    /// </summary>
    public abstract T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
        where T : IFloatingPointIeee754<T>;

    /// <summary>Writes ∂J/∂output into <paramref name="gradient"/>, shaped like the output.</summary>
    public abstract void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
        where T : IFloatingPointIeee754<T>;

    /// <summary>
    /// Checks the targets' values as PyTorch checks them, whatever the output: nothing for most
    /// losses; binary_cross_entropy's targets in [0, 1], cross_entropy's class indices whole and in
    /// [0, <paramref name="classes"/>). Throws <see cref="ArgumentException"/> with PyTorch's words.
    /// The shapes are <see cref="Network{T}.CheckBatch"/>'s to check.
    /// </summary>
    public virtual void CheckTargets<T>(Matrix<T> target, TargetKind targets, int classes)
        where T : IFloatingPointIeee754<T>
    {
    }

    /// <summary>Whether the loss accepts a column of class indices as its target.</summary>
    public virtual bool AcceptsClassIndices => false;

    public override string ToString() => Reduction == Reduction.Mean && Scale == 1
        ? Name
        : $"{Name} ({Reduction.ToString().ToLowerInvariant()}{(Scale == 1 ? "" : $", scale {Scale}")})";

    /// <summary>Checks that the target is shaped like the output (and is not a column of class indices).</summary>
    protected void CheckSameShape<T>(Matrix<T> output, Matrix<T> target, TargetKind targets)
        where T : INumberBase<T>
    {
        if (targets == TargetKind.ClassIndices)
        {
            throw new ArgumentException($"{Name} takes targets shaped like the output, not class indices");
        }

        CheckSameShape(output, target, "target");
    }

    protected static void CheckSameShape<T>(Matrix<T> output, Matrix<T> target, string targetName)
        where T : INumberBase<T>
    {
        if (output.Rows != target.Rows || output.Cols != target.Cols)
        {
            throw new ArgumentException(
                $"the {targetName} is {target.Shape} but the network's output is {output.Shape}; they must have the same shape");
        }
    }

    /// <summary>
    /// The elements' indices in sample-major order (sample by sample, each sample's units in
    /// order), which is storage order for samples in rows. Sums taken in this order come out the
    /// same in every layout. A struct enumerable: a foreach over it allocates nothing.
    /// </summary>
    protected static SampleMajorOrder SampleMajor<T>(Matrix<T> output, SampleAxis samples)
        where T : INumberBase<T>
        => new(SampleIndexing.Of(output, samples));

    protected readonly struct SampleMajorOrder(SampleIndexing indexing)
    {
        public Enumerator GetEnumerator() => new(indexing);

        public struct Enumerator(SampleIndexing indexing)
        {
            private int k = -1;

            public readonly int Current => indexing.SampleMajor(k);

            public bool MoveNext() => ++k < indexing.Samples * indexing.Units;
        }
    }

    /// <summary>Applies the reduction and the scale to a sum of per-element losses.</summary>
    protected T Reduce<T>(T sum, int count)
        where T : IFloatingPointIeee754<T>
        => Scaled(Reduced(sum, T.CreateChecked(count)));

    /// <summary>A sum (or one term of it) under the reduction: divided by <paramref name="count"/> for mean, as it is for sum.</summary>
    protected T Reduced<T>(T sum, T count)
        where T : IFloatingPointIeee754<T>
        => Reduction == Reduction.Mean ? sum / count : sum;

    /// <summary>A reduced loss times the scale; untouched when the scale is 1.</summary>
    protected T Scaled<T>(T reduced)
        where T : IFloatingPointIeee754<T>
        => Scale == 1 ? reduced : reduced * Upstream<T>();

    /// <summary>The gradient arriving at the reduced loss: the scale (1 unless scaled).</summary>
    protected T Upstream<T>()
        where T : IFloatingPointIeee754<T>
        => T.CreateChecked(Scale);
}
