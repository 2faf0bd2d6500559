using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// Softmax over the units of one sample (a row): aᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z), in
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

    public override void Forward<T>(Matrix<T> z, Matrix<T> a)
    {
        CheckShapes(z, a, a, a);
        for (int r = 0; r < z.Rows; r++)
        {
            Span<T> zr = z.Row(r), ar = a.Row(r);
            T max = zr[0];
            for (int j = 1; j < zr.Length; j++)
            {
                max = T.Max(max, zr[j]); // NaN propagates, as vec::maximum
            }

            T sum = T.Zero;
            for (int j = 0; j < zr.Length; j++)
            {
                ar[j] = T.Exp(zr[j] - max);
                sum += ar[j];
            }

            T reciprocal = T.One / sum;
            for (int j = 0; j < ar.Length; j++)
            {
                ar[j] *= reciprocal;
            }
        }
    }

    public override void Backward<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ)
    {
        CheckShapes(z, a, dA, dZ);
        for (int r = 0; r < z.Rows; r++)
        {
            Span<T> ar = a.Row(r), gr = dA.Row(r), dr = dZ.Row(r);
            T dot = T.Zero;
            for (int j = 0; j < ar.Length; j++)
            {
                dot += gr[j] * ar[j];
            }

            for (int j = 0; j < ar.Length; j++)
            {
                dr[j] = (gr[j] - dot) * ar[j];
            }
        }
    }
}
