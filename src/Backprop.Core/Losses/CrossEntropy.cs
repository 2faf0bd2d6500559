using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Losses;

/// <summary>
/// Cross-entropy on logits, as <c>torch.nn.functional.cross_entropy</c>: log_softmax over each
/// sample's units (a row, or a column when samples are in columns) (x − max − log Σ e^(x − max), PyTorch's order), then
/// <list type="bullet">
/// <item>class-index targets: the negative log-likelihood of each sample's class, averaged over
/// the N samples under mean; with label smoothing ε the cost is (1 − ε)·nll + (ε/C)·mean_i(−Σ_c logp),</item>
/// <item>probability targets (shaped like the output): −Σ t·logp, divided by N (not by a weight
/// sum) under mean; with label smoothing t becomes t·(1 − ε) + ε/C.</item>
/// </list>
/// The gradient goes back through log_softmax as PyTorch's log_softmax_backward:
/// dz = G − e^(logp)·Σ_c G, with G = ∂J/∂logp.
/// Thread-safe: immutable.
/// </summary>
public sealed class CrossEntropy : Loss
{
    public CrossEntropy(Reduction reduction = Reduction.Mean, double scale = 1, double labelSmoothing = 0)
        : base(reduction, scale)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(labelSmoothing), labelSmoothing, $"label_smoothing must be between 0.0 and 1.0. Got: {labelSmoothing}");
        }

        LabelSmoothing = labelSmoothing;
    }

    public static Kind<Loss> Kind { get; } = new(
        new CrossEntropy(), s => new CrossEntropy(ReductionNamed(s.Word("reduction")), s.Number("scale"), s.Number("label_smoothing")));

    public override string Name => "cross_entropy";

    public override IReadOnlyList<Setting> Settings => [.. base.Settings, new("label_smoothing", LabelSmoothing)];

    public double LabelSmoothing { get; }

    public override bool AcceptsClassIndices => true;

    /// <summary>Class indices must be whole numbers in [0, classes), as nll_loss checks them; probabilities are not checked, as PyTorch does not.</summary>
    public override void CheckTargets<T>(Matrix<T> target, TargetKind targets, int classes)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (targets != TargetKind.ClassIndices)
        {
            return;
        }

        for (int i = 0; i < target.Data.Length; i++)
        {
            _ = ClassIndex(target.Data[i], i, classes);
        }
    }

    public override string ToString()
        => LabelSmoothing == 0 ? base.ToString() : $"{base.ToString()} (label_smoothing {LabelSmoothing})";

    public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
    {
        SampleIndexing axes = SampleIndexing.Of(output, samples);
        bool classIndices = targets == TargetKind.ClassIndices;
        if (classIndices)
        {
            CheckLabelShape(target, axes);
        }

        // Per-thread scratch, so that a training step allocates nothing.
        return Cost(output, target, classIndices, axes, Scratch<T>.Loss(output.Data.Length), Scratch<int>.Loss(classIndices ? axes.Samples : 0));
    }

    private T Cost<T>(Matrix<T> output, Matrix<T> target, bool classIndices, SampleIndexing axes, Span<T> logp, Span<int> labels)
        where T : IFloatingPointIeee754<T>
    {
        LogSoftmax(output.Data, logp, axes);
        (T keep, T spread) = Smoothing<T>(axes.Units);
        T cost;
        if (classIndices)
        {
            Labels(target, axes, labels);
            T n = T.CreateChecked(axes.Samples);
            var nll = new BlockedSum<T>();
            for (int i = 0; i < axes.Samples; i++)
            {
                nll.Add(-logp[axes.IndexOf(i, labels[i])]);
            }

            cost = Reduced(nll.Total(), n);
            if (LabelSmoothing > 0)
            {
                // PyTorch's smooth loss: −Σ log p over every class, reduced as the NLL is.
                var smooth = new BlockedSum<T>();
                for (int i = 0; i < axes.Samples; i++)
                {
                    T rowSum = T.Zero;
                    for (int c = 0; c < axes.Units; c++)
                    {
                        rowSum += logp[axes.IndexOf(i, c)];
                    }

                    smooth.Add(-rowSum);
                }

                cost = (keep * cost) + (Reduced(smooth.Total(), n) * spread);
            }
        }
        else
        {
            CheckSameShape(output, target, "target");
            var sum = new BlockedSum<T>();
            for (int i = 0; i < axes.Samples; i++)
            {
                for (int c = 0; c < axes.Units; c++)
                {
                    int k = axes.IndexOf(i, c);
                    sum.Add(logp[k] * Smoothed(target.Data[k], keep, spread));
                }
            }

            cost = Reduced(-sum.Total(), T.CreateChecked(axes.Samples));
        }

        return Scaled(cost);
    }

    public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
    {
        CheckSameShape(output, gradient, "gradient");
        SampleIndexing axes = SampleIndexing.Of(output, samples);
        bool classIndices = targets == TargetKind.ClassIndices;
        if (classIndices)
        {
            CheckLabelShape(target, axes);
        }

        Gradient(output, target, gradient, classIndices, axes, Scratch<T>.Loss(output.Data.Length), Scratch<int>.Loss(classIndices ? axes.Samples : 0));
    }

    private void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, bool classIndices, SampleIndexing axes, Span<T> logp, Span<int> labels)
        where T : IFloatingPointIeee754<T>
    {
        LogSoftmax(output.Data, logp, axes);
        (T keep, T spread) = Smoothing<T>(axes.Units);
        T perSample = Upstream<T>() / (Reduction == Reduction.Mean ? T.CreateChecked(axes.Samples) : T.One);

        // G = ∂J/∂logp, written into gradient, then taken back through log_softmax sample by sample.
        if (classIndices)
        {
            Labels(target, axes, labels);
            T smooth = LabelSmoothing > 0 ? -(perSample * spread) : T.Zero;
            T hit = -(perSample * keep);
            for (int i = 0; i < axes.Samples; i++)
            {
                for (int c = 0; c < axes.Units; c++)
                {
                    gradient.Data[axes.IndexOf(i, c)] = smooth;
                }

                gradient.Data[axes.IndexOf(i, labels[i])] += hit;
            }
        }
        else
        {
            CheckSameShape(output, target, "target");
            for (int k = 0; k < gradient.Data.Length; k++)
            {
                gradient.Data[k] = -(perSample * Smoothed(target.Data[k], keep, spread));
            }
        }

        for (int i = 0; i < axes.Samples; i++)
        {
            T sum = T.Zero;
            for (int c = 0; c < axes.Units; c++)
            {
                sum += gradient.Data[axes.IndexOf(i, c)];
            }

            for (int c = 0; c < axes.Units; c++)
            {
                int k = axes.IndexOf(i, c);
                gradient.Data[k] -= T.Exp(logp[k]) * sum;
            }
        }
    }

    /// <summary>log_softmax over each sample: x − max − log Σ e^(x − max), in PyTorch's order.</summary>
    public static Matrix<T> LogSoftmax<T>(Matrix<T> x, SampleAxis samples)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var logp = new Matrix<T>(x.Rows, x.Cols);
        LogSoftmax(x.Data, logp.Data, SampleIndexing.Of(x, samples));
        return logp;
    }

    private static void LogSoftmax<T>(ReadOnlySpan<T> x, Span<T> logp, SampleIndexing axes)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < axes.Samples; i++)
        {
            T max = x[axes.IndexOf(i, 0)];
            for (int c = 1; c < axes.Units; c++)
            {
                max = T.Max(max, x[axes.IndexOf(i, c)]);
            }

            T sum = T.Zero;
            for (int c = 0; c < axes.Units; c++)
            {
                sum += T.Exp(x[axes.IndexOf(i, c)] - max);
            }

            T logSum = T.Log(sum);
            for (int c = 0; c < axes.Units; c++)
            {
                int k = axes.IndexOf(i, c);
                logp[k] = x[k] - max - logSum;
            }
        }
    }

    /// <summary>1 − ε and ε/C, formed in double as PyTorch's scalar arithmetic forms them.</summary>
    private (T Keep, T Spread) Smoothing<T>(int classes)
        where T : IFloatingPointIeee754<T>
        => (T.CreateChecked(1 - LabelSmoothing), T.CreateChecked(LabelSmoothing / classes));

    private T Smoothed<T>(T t, T keep, T spread)
        where T : IFloatingPointIeee754<T>
        => LabelSmoothing > 0 ? (t * keep) + spread : t;

    private static void CheckLabelShape<T>(Matrix<T> target, SampleIndexing axes)
        where T : IFloatingPointIeee754<T>
    {
        if (target.Rows != axes.Samples || target.Cols != 1)
        {
            throw new ArgumentException(
                $"class-index targets are {target.Shape} but the output holds {axes.Samples} samples, so they must be {axes.Samples}×1 (one index per sample)");
        }
    }

    /// <summary>Class indices from an n×1 target (in every layout, shape checked first), checked as PyTorch's nll_loss checks them.</summary>
    private static void Labels<T>(Matrix<T> target, SampleIndexing axes, Span<int> labels)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = ClassIndex(target.Data[i], i, axes.Units);
        }
    }

    /// <summary>Sample <paramref name="i"/>'s class index, refused in PyTorch's words unless whole and in [0, classes).</summary>
    private static int ClassIndex<T>(T t, int i, int classes)
        where T : IFloatingPointIeee754<T>
    {
        if (!T.IsInteger(t))
        {
            throw new ArgumentException($"class-index targets must be whole numbers, but sample {i} has {t}");
        }

        if (t < T.Zero || t >= T.CreateChecked(classes))
        {
            throw new ArgumentException($"Target {t} is out of bounds.");
        }

        return int.CreateChecked(t);
    }
}
