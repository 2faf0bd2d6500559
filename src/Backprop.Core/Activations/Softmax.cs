using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// Softmax over the units of one sample (a row, or a column when samples are in columns): aᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z), in
/// PyTorch's order (exponentials, their sum, then one multiplication by 1/sum). Its Jacobian is
/// full, not diagonal, so backward is the whole vector-Jacobian product, as PyTorch's
/// softmax_backward: dzᵢ = (daᵢ − Σⱼ daⱼ·aⱼ)·aᵢ.
/// Thread-safe: immutable.
/// </summary>
public sealed class Softmax : Activation
{
    public static Softmax Instance { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Instance, _ => Instance);

    private Softmax()
    {
    }

    public override string Name => "softmax";

    public override void Forward<T>(Matrix<T> z, Matrix<T> a, SampleAxis samples)
    {
        CheckShapes(z, a, a, a);
        SampleIndexing at = SampleIndexing.Of(z, samples);
        for (int s = 0; s < at.Samples; s++)
        {
            T max = z.Data[at.IndexOf(s, 0)];
            for (int j = 1; j < at.Units; j++)
            {
                max = T.Max(max, z.Data[at.IndexOf(s, j)]); // NaN propagates, as vec::maximum
            }

            T sum = T.Zero;
            for (int j = 0; j < at.Units; j++)
            {
                int k = at.IndexOf(s, j);
                a.Data[k] = T.Exp(z.Data[k] - max);
                sum += a.Data[k];
            }

            T reciprocal = T.One / sum;
            for (int j = 0; j < at.Units; j++)
            {
                a.Data[at.IndexOf(s, j)] *= reciprocal;
            }
        }
    }

    public override void Backward<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ, SampleAxis samples)
    {
        CheckShapes(z, a, dA, dZ);
        SampleIndexing at = SampleIndexing.Of(z, samples);
        for (int s = 0; s < at.Samples; s++)
        {
            T dot = T.Zero;
            for (int j = 0; j < at.Units; j++)
            {
                int k = at.IndexOf(s, j);
                dot += dA.Data[k] * a.Data[k];
            }

            for (int j = 0; j < at.Units; j++)
            {
                int k = at.IndexOf(s, j);
                dZ.Data[k] = (dA.Data[k] - dot) * a.Data[k];
            }
        }
    }
}
