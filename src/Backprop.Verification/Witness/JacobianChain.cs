using Backprop.Core.Activations;
using Backprop.Core.Losses;

namespace Backprop.Verification;

/// <summary>A Jacobian built as a real matrix, with the name the seeds give it (∂vec(Z3)/∂vec(W3), …). Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).</summary>
public sealed record NamedJacobian(string Name, Matrix<double> Value);

/// <summary>The witness's gradients for one step, and every Jacobian it multiplied to get them. Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).</summary>
public sealed record JacobianRun(StepRecord<double> Step, IReadOnlyList<NamedJacobian> Jacobians);

/// <summary>
/// A second, independent way to the gradients, as seeds 004 and 003 compute them by hand: vectorise
/// every matrix row-major, build each Jacobian as a real matrix (∂J/∂vec(Aᴸ), ∂vec(A)/∂vec(Z),
/// ∂vec(Z)/∂vec(W), ∂vec(Z)/∂vec(b), ∂vec(Z)/∂vec(A_prev)), chain them by plain row-vector ×
/// matrix products, and de-vectorise. The derivatives are written out again from their formulas
/// here, not taken from the core's backward code. float64 only, one step from the starting
/// parameters (no update), for small networks: the Jacobians grow as (n·units)².
/// BCE's clamps and ε are not modelled, so use it away from outputs of exactly 0 or 1.
/// Thread-safe: it holds no state.
/// </summary>
public static class JacobianChain
{
    public static JacobianRun Run(TrainingCase trainingCase)
    {
        ArgumentNullException.ThrowIfNull(trainingCase);
        trainingCase.Validate();

        // The vectorisation is seed 004's: samples in rows, W out×in, vec row-major.
        TrainingCase rows = trainingCase.InLayout(Layout.RowsOutIn);
        NetworkSpec spec = rows.Network;
        Batch<double> batch = rows.BatchOfStep(0);
        int L = spec.Layers.Count, n = batch.X.Rows;
        var Z = new Matrix<double>[L + 1];
        var A = new Matrix<double>[L + 1];
        A[0] = batch.X;
        for (int l = 1; l <= L; l++)
        {
            (Matrix<double> W, double[] b) = (rows.Parameters[l - 1].Weight, rows.Parameters[l - 1].Bias);
            Z[l] = new Matrix<double>(n, W.Rows);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < W.Rows; j++)
                {
                    double sum = 0;
                    for (int p = 0; p < W.Cols; p++)
                    {
                        sum += A[l - 1][i, p] * W[j, p];
                    }

                    Z[l][i, j] = sum + b[j];
                }
            }

            A[l] = new Matrix<double>(n, W.Rows);
            spec.Layers[l - 1].Activation.Forward(Z[l], A[l], SampleAxis.Rows);
        }

        double cost = spec.Loss.Cost(A[L], batch.Y, batch.Targets, SampleAxis.Rows);
        var jacobians = new List<NamedJacobian>();
        var records = new LayerRecord<double>[L];

        // J = reduce(L), with L the loss of each element (or, for cross_entropy, of each sample).
        (double[] gL, Matrix<double> jLA) = LossJacobians(spec.Loss, A[L], batch.Y, batch.ClassIndices);
        double[] gA = Times(gL, jLA);
        jacobians.Add(new NamedJacobian("∂J/∂vec(L)", Row(gL)));
        jacobians.Add(new NamedJacobian($"∂vec(L)/∂vec(A{L})", jLA));
        jacobians.Add(new NamedJacobian($"∂J/∂vec(A{L})", Row(gA)));
        for (int l = L; l >= 1; l--)
        {
            (Matrix<double> W, double[] b) = (rows.Parameters[l - 1].Weight, rows.Parameters[l - 1].Bias);
            int units = W.Rows, inputs = W.Cols;

            Matrix<double> jAZ = ActivationJacobian(spec.Layers[l - 1].Activation, Z[l], A[l]);
            double[] gZ = Times(gA, jAZ);

            var jZW = new Matrix<double>(n * units, units * inputs);
            var jZb = new Matrix<double>(n * units, units);
            var jZA = new Matrix<double>(n * units, n * inputs);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < units; j++)
                {
                    int row = (i * units) + j;
                    jZb[row, j] = 1;
                    for (int p = 0; p < inputs; p++)
                    {
                        jZW[row, (j * inputs) + p] = A[l - 1][i, p]; // z_ij = Σ_p a_ip·w_jp + b_j
                        jZA[row, (i * inputs) + p] = W[j, p];
                    }
                }
            }

            double[] gW = Times(gZ, jZW), gb = Times(gZ, jZb), gAPrevious = Times(gZ, jZA);
            jacobians.Add(new NamedJacobian($"∂vec(A{l})/∂vec(Z{l})", jAZ));
            jacobians.Add(new NamedJacobian($"∂vec(Z{l})/∂vec(W{l})", jZW));
            jacobians.Add(new NamedJacobian($"∂vec(Z{l})/∂vec(b{l})", jZb));
            if (l > 1)
            {
                jacobians.Add(new NamedJacobian($"∂vec(Z{l})/∂vec(A{l - 1})", jZA));
            }

            records[l - 1] = new LayerRecord<double>(
                Z[l], A[l], new Matrix<double>(n, units, gA), new Matrix<double>(n, units, gZ), new Matrix<double>(units, inputs, gW), gb);
            gA = gAPrevious;
        }

        var step = new StepRecord<double>(cost, records, null);
        return new JacobianRun(step.InLayout(Layout.RowsOutIn, trainingCase.Layout), jacobians);
    }

    /// <summary>
    /// ∂J/∂vec(L) and ∂vec(L)/∂vec(output), from each loss's own formula. L holds one loss per
    /// element (per sample for cross_entropy), so J = scale·reduce(L) gives ∂J/∂L = scale/N (N the
    /// count the mean divides by, 1 under sum), and ∂L/∂output is diagonal (a block per sample for
    /// cross_entropy).
    /// </summary>
    private static (double[] GradL, Matrix<double> JacobianLA) LossJacobians(Loss loss, Matrix<double> o, Matrix<double> y, bool classIndices)
    {
        int n = o.Rows, c = o.Cols;
        int count = loss is CrossEntropy ? n : o.Data.Length;
        double[] gL = Enumerable.Repeat(loss.Scale / (loss.Reduction == Reduction.Mean ? count : 1), count).ToArray();
        var j = new Matrix<double>(count, o.Data.Length);
        switch (loss)
        {
            case BinaryCrossEntropy:
                for (int k = 0; k < count; k++) j[k, k] = (o.Data[k] - y.Data[k]) / (o.Data[k] * (1 - o.Data[k]));
                break;
            case BinaryCrossEntropyWithLogits:
                for (int k = 0; k < count; k++) j[k, k] = (1 / (1 + Math.Exp(-o.Data[k]))) - y.Data[k];
                break;
            case MseLoss:
                for (int k = 0; k < count; k++) j[k, k] = 2 * (o.Data[k] - y.Data[k]);
                break;
            case CrossEntropy ce:
                for (int i = 0; i < n; i++)
                {
                    double max = o.Row(i).ToArray().Max();
                    double[] e = o.Row(i).ToArray().Select(v => Math.Exp(v - max)).ToArray();
                    double total = e.Sum();
                    double[] t = Enumerable.Range(0, c)
                        .Select(q => classIndices ? (q == (int)y[i, 0] ? 1.0 : 0.0) : y[i, q])
                        .Select(v => (v * (1 - ce.LabelSmoothing)) + (ce.LabelSmoothing / c))
                        .ToArray();
                    double mass = t.Sum();
                    for (int q = 0; q < c; q++) j[i, (i * c) + q] = (e[q] / total * mass) - t[q]; // ∂/∂o of −Σ t·log softmax(o)
                }

                break;
            default:
                throw new NotSupportedException($"the witness has no formula for loss \"{loss.Name}\"");
        }

        return (gL, j);
    }

    /// <summary>∂vec(A)/∂vec(Z): diagonal for element-wise activations, a block per sample for softmax.</summary>
    private static Matrix<double> ActivationJacobian(Activation activation, Matrix<double> z, Matrix<double> a)
    {
        int size = z.Data.Length;
        var j = new Matrix<double>(size, size);
        if (activation is Softmax)
        {
            for (int i = 0; i < z.Rows; i++)
            {
                for (int p = 0; p < z.Cols; p++)
                {
                    for (int q = 0; q < z.Cols; q++)
                    {
                        j[(i * z.Cols) + p, (i * z.Cols) + q] = a[i, p] * ((p == q ? 1 : 0) - a[i, q]);
                    }
                }
            }

            return j;
        }

        for (int k = 0; k < size; k++)
        {
            j[k, k] = Derivative(activation, z.Data[k], a.Data[k]);
        }

        return j;
    }

    /// <summary>g'(z) as the activation's own file writes the textbook formula (not its backward kernel).</summary>
    private static double Derivative(Activation activation, double z, double a) => activation is ElementwiseActivation e
        ? e.Derivative(z, a)
        : throw new NotSupportedException($"the witness has no derivative for activation \"{activation.Name}\"");

    private static double[] Times(double[] row, Matrix<double> m)
    {
        var result = new double[m.Cols];
        for (int i = 0; i < m.Rows; i++)
        {
            for (int j = 0; j < m.Cols; j++)
            {
                result[j] += row[i] * m[i, j];
            }
        }

        return result;
    }

    private static Matrix<double> Row(double[] v) => new(1, v.Length, (double[])v.Clone());
}
