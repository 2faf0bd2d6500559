using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Losses;

/// <summary>
/// Binary cross-entropy on logits, as <c>torch.nn.functional.binary_cross_entropy_with_logits</c>,
/// in its numerically stable form: ℓ(x, y) = (1 − y)·x − log σ(x), with
/// log σ(x) = min(x, 0) − log1p(e^(−|x|)), finite for every finite x. The gradient is
/// (σ(x) − y)·g, divided by the element count under mean. Targets are not range-checked (PyTorch
/// does not check them either).
/// Thread-safe: immutable.
/// </summary>
public sealed class BinaryCrossEntropyWithLogits(Reduction reduction = Reduction.Mean, double scale = 1) : Loss(reduction, scale)
{
    public static Kind<Loss> Kind { get; } = new(new BinaryCrossEntropyWithLogits(), s => new BinaryCrossEntropyWithLogits(ReductionNamed(s.Word("reduction")), s.Number("scale")));

    public override string Name => "binary_cross_entropy_with_logits";

    public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
    {
        CheckSameShape(output, target, targets);
        var sum = new BlockedSum<T>();
        foreach (int i in SampleMajor(output, samples))
        {
            T x = output.Data[i], y = target.Data[i];
            T logSigmoid = T.Min(x, T.Zero) - ScalarMath.Log1P(T.Exp(-T.Abs(x)));
            sum.Add(((T.One - y) * x) - logSigmoid);
        }

        return Reduce(sum.Total(), output.Data.Length);
    }

    public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
    {
        CheckSameShape(output, target, targets);
        CheckSameShape(output, gradient, "gradient");
        T upstream = Upstream<T>();
        T count = T.CreateChecked(output.Data.Length);
        for (int i = 0; i < output.Data.Length; i++)
        {
            T sigmoid = T.One / (T.One + T.Exp(-output.Data[i]));
            T g = (sigmoid - target.Data[i]) * upstream;
            gradient.Data[i] = Reduced(g, count);
        }
    }
}
