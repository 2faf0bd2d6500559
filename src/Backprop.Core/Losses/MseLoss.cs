using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Losses;

/// <summary>
/// Squared error, as <c>torch.nn.functional.mse_loss</c>: ℓ(x, y) = (x − y)², and
/// ∂J/∂x = norm·(x − y)·g with norm = 2/n under mean (n the element count) and 2 under sum,
/// g the upstream gradient (the scale). ½·Σ(ŷ − y)² is reduction sum with scale 0.5.
/// Thread-safe: immutable.
/// </summary>
public sealed class MseLoss(Reduction reduction = Reduction.Mean, double scale = 1) : Loss(reduction, scale)
{
    public static Kind<Loss> Kind { get; } = new(new MseLoss(), s => new MseLoss(ReductionNamed(s.Word("reduction")), s.Number("scale")));

    public override string Name => "mse_loss";

    public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
    {
        CheckSameShape(output, target, targets);
        var sum = new BlockedSum<T>();
        foreach (int i in SampleMajor(output, samples))
        {
            T diff = output.Data[i] - target.Data[i];
            sum.Add(diff * diff);
        }

        return Reduce(sum.Total(), output.Data.Length);
    }

    public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
    {
        CheckSameShape(output, target, targets);
        CheckSameShape(output, gradient, "gradient");
        T norm = T.CreateChecked(Reduction == Reduction.Mean ? 2.0 / output.Data.Length : 2.0);
        T upstream = Upstream<T>();
        for (int i = 0; i < output.Data.Length; i++)
        {
            gradient.Data[i] = norm * (output.Data[i] - target.Data[i]) * upstream;
        }
    }
}
