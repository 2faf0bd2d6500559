using System.Numerics;

namespace Backprop.Core;

/// <summary>
/// Everything one layer computed in one step: forward Z (pre-activation) and A (activation), and
/// backward ∂J/∂A, ∂J/∂Z, ∂J/∂W and ∂J/∂b, oriented as the case's layout says (per-sample
/// matrices like X, ∂J/∂W like W).
/// Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).
/// </summary>
public sealed record LayerRecord<T>(
    Matrix<T> Z,
    Matrix<T> A,
    Matrix<T> GradA,
    Matrix<T> GradZ,
    Matrix<T> GradWeight,
    T[] GradBias)
    where T : INumberBase<T>
{
    public LayerRecord<double> ToDouble() => new(
        Z.Convert<double>(), A.Convert<double>(), GradA.Convert<double>(), GradZ.Convert<double>(),
        GradWeight.Convert<double>(), Array.ConvertAll(GradBias, double.CreateTruncating));

    public LayerRecord<T> InLayout(Layout from, Layout to) => new(
        from.SamplesTo(to, Z), from.SamplesTo(to, A), from.SamplesTo(to, GradA), from.SamplesTo(to, GradZ),
        from.WeightTo(to, GradWeight), (T[])GradBias.Clone());
}

/// <summary>
/// One training step, as the core and the oracle both report it: the cost, every layer's
/// intermediates and gradients, and the parameters after the optimizer's update (null when the
/// step has no optimizer).
/// Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).
/// </summary>
public sealed record StepRecord<T>(
    T Cost,
    IReadOnlyList<LayerRecord<T>> Layers,
    IReadOnlyList<LayerParameters<T>>? Parameters)
    where T : INumberBase<T>
{
    public StepRecord<double> ToDouble() => new(
        double.CreateTruncating(Cost),
        Layers.Select(l => l.ToDouble()).ToArray(),
        Parameters?.Select(p => p.Convert<double>()).ToArray());

    /// <summary>The same step with every matrix turned from one layout's orientation into another's.</summary>
    public StepRecord<T> InLayout(Layout from, Layout to) => new(
        Cost,
        Layers.Select(l => l.InLayout(from, to)).ToArray(),
        Parameters?.Select(p => new LayerParameters<T>(from.WeightTo(to, p.Weight), (T[])p.Bias.Clone())).ToArray());
}
