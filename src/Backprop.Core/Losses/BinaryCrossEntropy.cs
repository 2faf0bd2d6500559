using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Losses;

/// <summary>
/// Binary cross-entropy on probabilities, as <c>torch.nn.functional.binary_cross_entropy</c>:
/// ℓ(x, y) = −(y · max(log x, −100) + (1 − y) · max(log1p(−x), −100)), so a confident wrong answer
/// costs at most 100 instead of ∞. The gradient is PyTorch's:
/// ∂ℓ/∂x = (x − y) / max((1 − x) · x, ε) with ε the float 1e-12 (also in float64, as libtorch),
/// divided by the element count under mean. Inputs and targets must lie in [0, 1]; NaN does not.
/// Thread-safe: immutable.
/// </summary>
public sealed class BinaryCrossEntropy(Reduction reduction = Reduction.Mean, double scale = 1)
    : Loss(reduction, scale)
{
    /// <summary>libtorch's EPSILON is a float constant, widened to double in float64 kernels.</summary>
    private const double Epsilon = (double)1e-12f;

    public static Kind<Loss> Kind { get; } = new(new BinaryCrossEntropy(), s => new BinaryCrossEntropy(ReductionNamed(s.Word("reduction")), s.Number("scale")));

    public override string Name => "binary_cross_entropy";

    /// <summary>Every target in [0, 1] (NaN is not), checked before any output exists.</summary>
    public override void CheckTargets<T>(Matrix<T> target, TargetKind targets, int classes)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (T y in target.Data)
        {
            if (!(y >= T.Zero && y <= T.One))
            {
                throw new ArgumentException("all elements of target should be between 0 and 1");
            }
        }
    }

    public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
    {
        CheckSameShape(output, target, targets);
        T hundred = T.CreateChecked(100);
        var sum = new BlockedSum<T>();
        foreach (int i in SampleMajor(output, samples))
        {
            T x = output.Data[i], y = target.Data[i];
            CheckRange(x, y);
            T logX = T.Max(T.Log(x), -hundred);
            T log1MinusX = T.Max(ScalarMath.Log1P(-x), -hundred);
            sum.Add(((y - T.One) * log1MinusX) - (y * logX));
        }

        return Reduce(sum.Total(), output.Data.Length);
    }

    public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
    {
        CheckSameShape(output, target, targets);
        CheckSameShape(output, gradient, "gradient");
        T upstream = Upstream<T>();
        T epsilon = T.CreateChecked(Epsilon);
        T count = T.CreateChecked(output.Data.Length);
        for (int i = 0; i < output.Data.Length; i++)
        {
            T x = output.Data[i], y = target.Data[i];
            CheckRange(x, y);
            T g = upstream * (x - y) / T.Max((T.One - x) * x, epsilon);
            gradient.Data[i] = Reduced(g, count);
        }
    }

    private static void CheckRange<T>(T x, T y)
        where T : IFloatingPointIeee754<T>
    {
        // Written as PyTorch's TORCH_CHECKs, so NaN fails too.
        if (!(x >= T.Zero && x <= T.One))
        {
            throw new ArgumentException("all elements of input should be between 0 and 1");
        }

        if (!(y >= T.Zero && y <= T.One))
        {
            throw new ArgumentException("all elements of target should be between 0 and 1");
        }
    }
}
