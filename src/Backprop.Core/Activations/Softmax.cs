using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// Softmax over the units of one sample (a row, or a column when samples are in columns): aᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z), in
/// PyTorch's order (exponentials, their sum, then one multiplication by 1/sum). Its Jacobian is
/// full, not diagonal, so backward is the whole vector-Jacobian product, as PyTorch's
/// softmax_backward: dzᵢ = (daᵢ − Σⱼ daⱼ·aⱼ)·aᵢ.
/// </summary>
public sealed class Softmax : Activation
{
    public static Softmax Instance { get; } = new();

    private Softmax()
    {
    }

    public override string Name => "softmax";

    public override void Forward<T>(Matrix<T> z, Matrix<T> a, bool samplesInColumns = false)
    {
        CheckShapes(z, a, a, a);
        (int samples, int units, int sampleStride, int unitStride) = Axes(z, samplesInColumns);
        for (int s = 0; s < samples; s++)
        {
            int start = s * sampleStride;
            T max = z.Data[start];
            for (int j = 1; j < units; j++)
            {
                max = T.Max(max, z.Data[start + (j * unitStride)]); // NaN propagates, as vec::maximum
            }

            T sum = T.Zero;
            for (int j = 0; j < units; j++)
            {
                int k = start + (j * unitStride);
                a.Data[k] = T.Exp(z.Data[k] - max);
                sum += a.Data[k];
            }

            T reciprocal = T.One / sum;
            for (int j = 0; j < units; j++)
            {
                a.Data[start + (j * unitStride)] *= reciprocal;
            }
        }
    }

    public override void Backward<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ, bool samplesInColumns = false)
    {
        CheckShapes(z, a, dA, dZ);
        (int samples, int units, int sampleStride, int unitStride) = Axes(z, samplesInColumns);
        for (int s = 0; s < samples; s++)
        {
            int start = s * sampleStride;
            T dot = T.Zero;
            for (int j = 0; j < units; j++)
            {
                int k = start + (j * unitStride);
                dot += dA.Data[k] * a.Data[k];
            }

            for (int j = 0; j < units; j++)
            {
                int k = start + (j * unitStride);
                dZ.Data[k] = (dA.Data[k] - dot) * a.Data[k];
            }
        }
    }

    /// <summary>Sample count, units per sample, and the strides between samples and between units.</summary>
    private static (int Samples, int Units, int SampleStride, int UnitStride) Axes<T>(Matrix<T> z, bool samplesInColumns)
        where T : INumberBase<T>
        => samplesInColumns ? (z.Cols, z.Rows, 1, z.Cols) : (z.Rows, z.Cols, z.Cols, 1);
}
