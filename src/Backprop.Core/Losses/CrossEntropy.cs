using System.Numerics;

namespace Backprop.Core.Losses;

/// <summary>
/// Cross-entropy on logits, as <c>torch.nn.functional.cross_entropy</c>: log_softmax over each
/// sample's units (x − max − log Σ e^(x − max), PyTorch's order), then
/// <list type="bullet">
/// <item>class-index targets: the negative log-likelihood of each sample's class, averaged over
/// the N samples under mean; with label smoothing ε the cost is (1 − ε)·nll + (ε/C)·mean_i(−Σ_c logp),</item>
/// <item>probability targets (shaped like the output): −Σ t·logp, divided by N (not by a weight
/// sum) under mean; with label smoothing t becomes t·(1 − ε) + ε/C.</item>
/// </list>
/// The gradient goes back through log_softmax as PyTorch's log_softmax_backward:
/// dz = G − e^(logp)·Σ_c G, with G = ∂J/∂logp.
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

    public override string Name => "cross_entropy";

    public double LabelSmoothing { get; }

    public override bool AcceptsClassIndices => true;

    public override string ToString()
        => LabelSmoothing == 0 ? base.ToString() : $"{base.ToString()} (label_smoothing {LabelSmoothing})";

    public override T Cost<T>(Matrix<T> output, Matrix<T> target, bool classIndices = false)
    {
        Matrix<T> logp = LogSoftmax(output);
        (T keep, T spread) = Smoothing<T>(output.Cols);
        T cost;
        if (classIndices)
        {
            int[] labels = Labels(output, target);
            T nll = T.Zero, smooth = T.Zero;
            for (int i = 0; i < output.Rows; i++)
            {
                nll -= logp[i, labels[i]];
                if (LabelSmoothing > 0)
                {
                    T rowSum = T.Zero;
                    foreach (T v in logp.Row(i))
                    {
                        rowSum += v;
                    }

                    smooth += -rowSum;
                }
            }

            T n = T.CreateChecked(output.Rows);
            if (Reduction == Reduction.Mean)
            {
                nll /= n;
                smooth /= n;
            }

            cost = LabelSmoothing > 0 ? (keep * nll) + (smooth * spread) : nll;
        }
        else
        {
            CheckSameShape(output, target, "target");
            T sum = T.Zero;
            for (int k = 0; k < logp.Data.Length; k++)
            {
                sum += logp.Data[k] * Smoothed(target.Data[k], keep, spread);
            }

            cost = Reduction == Reduction.Mean ? -sum / T.CreateChecked(output.Rows) : -sum;
        }

        return Scale == 1 ? cost : cost * Upstream<T>();
    }

    public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, bool classIndices = false)
    {
        CheckSameShape(output, gradient, "gradient");
        Matrix<T> logp = LogSoftmax(output);
        (T keep, T spread) = Smoothing<T>(output.Cols);
        T perSample = Upstream<T>() / (Reduction == Reduction.Mean ? T.CreateChecked(output.Rows) : T.One);

        // G = ∂J/∂logp, written into gradient, then taken back through log_softmax row by row.
        if (classIndices)
        {
            int[] labels = Labels(output, target);
            T smooth = LabelSmoothing > 0 ? -(perSample * spread) : T.Zero;
            T hit = -(perSample * keep);
            for (int i = 0; i < output.Rows; i++)
            {
                Span<T> g = gradient.Row(i);
                g.Fill(smooth);
                g[labels[i]] += hit;
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

        for (int i = 0; i < output.Rows; i++)
        {
            Span<T> g = gradient.Row(i), lp = logp.Row(i);
            T sum = T.Zero;
            foreach (T v in g)
            {
                sum += v;
            }

            for (int j = 0; j < g.Length; j++)
            {
                g[j] -= T.Exp(lp[j]) * sum;
            }
        }
    }

    /// <summary>log_softmax over each row: x − max − log Σ e^(x − max), in PyTorch's order.</summary>
    public static Matrix<T> LogSoftmax<T>(Matrix<T> x)
        where T : IFloatingPointIeee754<T>
    {
        var logp = new Matrix<T>(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++)
        {
            Span<T> row = x.Row(i), outRow = logp.Row(i);
            T max = row[0];
            for (int j = 1; j < row.Length; j++)
            {
                max = T.Max(max, row[j]);
            }

            T sum = T.Zero;
            foreach (T v in row)
            {
                sum += T.Exp(v - max);
            }

            T logSum = T.Log(sum);
            for (int j = 0; j < row.Length; j++)
            {
                outRow[j] = row[j] - max - logSum;
            }
        }

        return logp;
    }

    /// <summary>1 − ε and ε/C, formed in double as PyTorch's scalar arithmetic forms them.</summary>
    private (T Keep, T Spread) Smoothing<T>(int classes)
        where T : IFloatingPointIeee754<T>
        => (T.CreateChecked(1 - LabelSmoothing), T.CreateChecked(LabelSmoothing / classes));

    private T Smoothed<T>(T t, T keep, T spread)
        where T : IFloatingPointIeee754<T>
        => LabelSmoothing > 0 ? (t * keep) + spread : t;

    /// <summary>Class indices from an n×1 target, checked as PyTorch's nll_loss checks them.</summary>
    private static int[] Labels<T>(Matrix<T> output, Matrix<T> target)
        where T : IFloatingPointIeee754<T>
    {
        if (target.Rows != output.Rows || target.Cols != 1)
        {
            throw new ArgumentException(
                $"class-index targets are {target.Shape} but the output is {output.Shape}, so they must be {output.Rows}×1 (one index per sample)");
        }

        var labels = new int[target.Rows];
        for (int i = 0; i < labels.Length; i++)
        {
            T t = target.Data[i];
            if (!T.IsInteger(t))
            {
                throw new ArgumentException($"class-index targets must be whole numbers, but sample {i} has {t}");
            }

            if (t < T.Zero || t >= T.CreateChecked(output.Cols))
            {
                throw new ArgumentException($"Target {t} is out of bounds.");
            }

            labels[i] = int.CreateChecked(t);
        }

        return labels;
    }
}
