using System.Numerics;

namespace Backprop.Core;

/// <summary>
/// Everything one layer computed in one step: forward Z (pre-activation) and A (activation), and
/// backward ∂J/∂A, ∂J/∂Z, ∂J/∂W and ∂J/∂b. Matrices are n×units, one sample per row; ∂J/∂W is
/// out×in like W.
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
}

/// <summary>
/// One training step, as the core and the oracle both report it: the cost, every layer's
/// intermediates and gradients, and the parameters after the optimizer's update (null when the
/// step has no optimizer).
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
}
