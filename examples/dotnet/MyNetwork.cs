using Backprop.Core;
using Backprop.Core.Optimizers;
using Backprop.Verification;

namespace MyBackprop;

/// <summary>
/// A small backprop written by hand, as someone learning it would: loops over plain arrays, samples
/// in rows, W out×in. It supports identity, relu, sigmoid and tanh; mse_loss and
/// binary_cross_entropy (mean or sum, with a scale); no optimizer or SGD (momentum, dampening,
/// weight decay, Nesterov). Not thread-safe (it keeps SGD's buffers while it trains). With
/// <paramref name="meanOverSamplesOnly"/> it carries a classic bug: mse_loss's mean divides by the
/// samples n instead of every element n·k.
/// </summary>
public sealed class MyNetwork(bool meanOverSamplesOnly = false) : INetworkUnderTest
{
    /// <summary>SGD's momentum buffers, by parameter.</summary>
    private readonly Dictionary<(string, int), double[,]> buffers = [];

    public IReadOnlyList<StepRecord<double>> Train(TrainingCase trainingCase, DType dtype)
    {
        buffers.Clear();
        NetworkSpec spec = trainingCase.Network;
        int L = spec.Layers.Count;
        double[][,] W = trainingCase.Parameters.Select(p => ToArray(p.Weight)).ToArray();
        double[][] b = trainingCase.Parameters.Select(p => (double[])p.Bias.Clone()).ToArray();
        var steps = new List<StepRecord<double>>();
        for (int k = 0; k < trainingCase.Steps; k++)
        {
            Batch<double> batch = trainingCase.BatchOfStep(k);
            var Z = new double[L + 1][,];
            var A = new double[L + 1][,];
            A[0] = ToArray(batch.X);
            for (int l = 1; l <= L; l++)
            {
                Z[l] = Affine(A[l - 1], W[l - 1], b[l - 1]);
                A[l] = Map(Z[l], z => Activate(spec.Layers[l - 1].Activation.Name, z));
            }

            (double cost, double[,] dA) = Loss(spec, A[L], ToArray(batch.Y));
            var records = new LayerRecord<double>[L];
            var dW = new double[L][,];
            var db = new double[L][];
            for (int l = L; l >= 1; l--)
            {
                string g = spec.Layers[l - 1].Activation.Name;
                double[,] dZ = Zip(dA, A[l], (d, a) => d * Derivative(g, a));
                dW[l - 1] = TransposeTimes(dZ, A[l - 1]);
                db[l - 1] = ColumnSums(dZ);
                records[l - 1] = new LayerRecord<double>(M(Z[l]), M(A[l]), M(dA), M(dZ), M(dW[l - 1]), db[l - 1]);
                dA = Times(dZ, W[l - 1]);
            }

            IReadOnlyList<LayerParameters<double>>? updated = null;
            if (trainingCase.Optimizer is Sgd sgd)
            {
                for (int l = 0; l < L; l++)
                {
                    W[l] = Step(sgd, ("W", l), W[l], dW[l]);
                    b[l] = Step(sgd, ("b", l), To2D(b[l]), To2D(db[l])).Cast<double>().ToArray();
                }

                updated = W.Select((w, l) => new LayerParameters<double>(M(w), (double[])b[l].Clone())).ToArray();
            }
            else if (trainingCase.Optimizer is not null)
            {
                throw new NotSupportedException($"optimizer {trainingCase.Optimizer.Name}");
            }

            steps.Add(new StepRecord<double>(cost, records, updated));
        }

        return steps;
    }

    /// <summary>torch.optim.SGD: weight decay into the gradient, the first buffer is the gradient itself, then p −= lr·g.</summary>
    private double[,] Step(Sgd sgd, (string, int) key, double[,] p, double[,] g)
    {
        g = Zip(g, p, (gi, pi) => gi + (sgd.WeightDecay * pi));
        if (sgd.Momentum != 0)
        {
            double[,] buffer = buffers.TryGetValue(key, out double[,]? previous)
                ? Zip(previous, g, (bi, gi) => (sgd.Momentum * bi) + ((1 - sgd.Dampening) * gi))
                : g;
            buffers[key] = buffer;
            g = sgd.Nesterov ? Zip(g, buffer, (gi, bi) => gi + (sgd.Momentum * bi)) : buffer;
        }

        return Zip(p, g, (pi, gi) => pi - (sgd.Lr * gi));
    }

    private static double[,] To2D(double[] v)
    {
        var m = new double[1, v.Length];
        for (int j = 0; j < v.Length; j++) m[0, j] = v[j];
        return m;
    }

    private static double Activate(string name, double z) => name switch
    {
        "identity" => z,
        "relu" => z > 0 ? z : 0,
        "sigmoid" => 1 / (1 + Math.Exp(-z)),
        "tanh" => Math.Tanh(z),
        _ => throw new NotSupportedException($"activation {name}"),
    };

    /// <summary>g'(z) from a = g(z), as PyTorch's backward kernels compute it (relu'(0) = 0).</summary>
    private static double Derivative(string name, double a) => name switch
    {
        "identity" => 1,
        "relu" => a > 0 ? 1 : 0,
        "sigmoid" => (1 - a) * a,
        "tanh" => 1 - (a * a),
        _ => throw new NotSupportedException($"activation {name}"),
    };

    private (double Cost, double[,] Gradient) Loss(NetworkSpec spec, double[,] output, double[,] target)
    {
        int n = output.GetLength(0), units = output.GetLength(1);
        bool mean = spec.Loss.Reduction == Backprop.Core.Losses.Reduction.Mean;
        double scale = spec.Loss.Scale;
        double count = mean ? (meanOverSamplesOnly ? n : n * units) : 1;
        switch (spec.Loss.Name)
        {
            case "mse_loss":
            {
                double sum = 0;
                foreach ((double o, double t) in Pairs(output, target)) sum += (o - t) * (o - t);
                return (scale * sum / count, Zip(output, target, (o, t) => scale * 2 * (o - t) / count));
            }

            case "binary_cross_entropy":
            {
                double sum = 0;
                foreach ((double o, double t) in Pairs(output, target))
                {
                    sum -= (t * Math.Max(Math.Log(o), -100)) + ((1 - t) * Math.Max(Math.Log(1 - o), -100));
                }

                return (scale * sum / count, Zip(output, target, (o, t) => scale * (o - t) / Math.Max((1 - o) * o, 1e-12) / count));
            }

            default:
                throw new NotSupportedException($"loss {spec.Loss.Name}");
        }
    }

    private static double[,] Affine(double[,] a, double[,] w, double[] bias)
    {
        var z = new double[a.GetLength(0), w.GetLength(0)];
        for (int i = 0; i < z.GetLength(0); i++)
        {
            for (int j = 0; j < z.GetLength(1); j++)
            {
                double sum = 0;
                for (int p = 0; p < a.GetLength(1); p++) sum += a[i, p] * w[j, p];
                z[i, j] = sum + bias[j];
            }
        }

        return z;
    }

    private static double[,] TransposeTimes(double[,] dz, double[,] a)
    {
        var r = new double[dz.GetLength(1), a.GetLength(1)];
        for (int j = 0; j < r.GetLength(0); j++)
        {
            for (int p = 0; p < r.GetLength(1); p++)
            {
                double sum = 0;
                for (int i = 0; i < dz.GetLength(0); i++) sum += dz[i, j] * a[i, p];
                r[j, p] = sum;
            }
        }

        return r;
    }

    private static double[,] Times(double[,] dz, double[,] w)
    {
        var r = new double[dz.GetLength(0), w.GetLength(1)];
        for (int i = 0; i < r.GetLength(0); i++)
        {
            for (int p = 0; p < r.GetLength(1); p++)
            {
                double sum = 0;
                for (int j = 0; j < dz.GetLength(1); j++) sum += dz[i, j] * w[j, p];
                r[i, p] = sum;
            }
        }

        return r;
    }

    private static double[] ColumnSums(double[,] m)
        => Enumerable.Range(0, m.GetLength(1)).Select(j => Enumerable.Range(0, m.GetLength(0)).Sum(i => m[i, j])).ToArray();

    private static double[,] Map(double[,] m, Func<double, double> f) => Zip(m, m, (x, _) => f(x));

    private static double[,] Zip(double[,] x, double[,] y, Func<double, double, double> f)
    {
        var r = new double[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < r.GetLength(0); i++)
        {
            for (int j = 0; j < r.GetLength(1); j++) r[i, j] = f(x[i, j], y[i, j]);
        }

        return r;
    }

    private static IEnumerable<(double, double)> Pairs(double[,] x, double[,] y)
    {
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++) yield return (x[i, j], y[i, j]);
        }
    }

    private static double[,] ToArray(Matrix<double> m)
    {
        var r = new double[m.Rows, m.Cols];
        for (int i = 0; i < m.Rows; i++)
        {
            for (int j = 0; j < m.Cols; j++) r[i, j] = m[i, j];
        }

        return r;
    }

    private static Matrix<double> M(double[,] a)
    {
        var m = new Matrix<double>(a.GetLength(0), a.GetLength(1));
        for (int i = 0; i < m.Rows; i++)
        {
            for (int j = 0; j < m.Cols; j++) m[i, j] = a[i, j];
        }

        return m;
    }
}
