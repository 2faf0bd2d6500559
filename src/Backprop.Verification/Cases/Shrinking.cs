using Backprop.Core;
using Backprop.Verification;

namespace Backprop.Verification;

/// <summary>
/// Turns a failing random network into what a person needs: smaller versions of it to try
/// (shrinking), and the shrunk network as a complete backprop-fixture/1 document with libtorch's
/// expectations, ready to save under fixtures/regressions/ and replay with <c>backprop check</c>.
/// Thread-safe: it holds no state.
/// </summary>
public static class Shrinking
{
    /// <summary>Smaller networks first: one step, no optimizer, one batch, fewer samples, fewer inputs, fewer or narrower layers, rounder values.</summary>
    public static IEnumerable<RandomNetwork> Shrink(RandomNetwork n)
    {
        Layout layout = n.Case.Layout;
        TrainingCase c = n.Case.InLayout(Layout.RowsOutIn);
        RandomNetwork With(TrainingCase smaller) => n with { Case = smaller.InLayout(layout) };

        if (c.Steps > 1) yield return With(c with { Steps = 1 });
        if (c.Optimizer is not null) yield return With(c with { Optimizer = null });
        if (c.Batches.Count > 1) yield return With(c with { Batches = [c.Batches[0]] });
        Batch<double> b = c.Batches[0];
        if (b.X.Rows > 1)
        {
            int keep = b.X.Rows / 2;
            yield return With(c with { Batches = c.Batches.Select(x => x with { X = FirstRows(x.X, keep), Y = FirstRows(x.Y, keep) }).ToArray() });
        }

        if (c.Network.Inputs > 1)
        {
            yield return With(FewerInputs(c, Math.Max(1, c.Network.Inputs / 2)));
        }

        for (int l = 0; l < c.Network.Layers.Count - 1; l++)
        {
            if (DropLayer(c, l) is { } fewer) yield return With(fewer);
        }

        for (int l = 0; l < c.Network.Layers.Count - 1; l++)
        {
            if (c.Network.Layers[l].Units > 1) yield return With(Narrow(c, l));
        }

        TrainingCase rounded = Round(c);
        if (!Same(rounded, c)) yield return With(rounded);
    }

    /// <summary>The network as a fixture: its case and what libtorch computes for it.</summary>
    public static string ToFixture(RandomNetwork n, string why, IWitness witness)
    {
        ArgumentNullException.ThrowIfNull(witness);
        IReadOnlyList<StepRecord<double>> torch = witness.Run(n.Case, n.DType);
        var fixture = new Fixture(
            $"regression-seed-{n.Seed}", n.DType, n.Case, torch.Select(StepExpectation.From).ToArray(),
            Description: why,
            Source: $"property suite, random network seed {n.Seed} ({n.Regime}), shrunk",
            Generator: $"shrunk by the property suite ({witness.Name})");
        return FixtureWriter.Write(fixture);
    }

    private static Matrix<double> FirstRows(Matrix<double> m, int rows) => new(rows, m.Cols, m.Data.Take(rows * m.Cols).ToArray());

    /// <summary>Keeps the first <paramref name="inputs"/> features: X's columns and the first layer's weight columns.</summary>
    private static TrainingCase FewerInputs(TrainingCase c, int inputs)
    {
        static Matrix<double> FirstColumns(Matrix<double> m, int cols)
        {
            var r = new Matrix<double>(m.Rows, cols);
            for (int i = 0; i < m.Rows; i++) m.Row(i)[..cols].CopyTo(r.Row(i));
            return r;
        }

        var parameters = c.Parameters.Select(p => p.DeepCopy()).ToArray();
        parameters[0] = parameters[0] with { Weight = FirstColumns(parameters[0].Weight, inputs) };
        return c with
        {
            Network = c.Network with { Inputs = inputs },
            Parameters = parameters,
            Batches = c.Batches.Select(b => b with { X = FirstColumns(b.X, inputs) }).ToArray(),
        };
    }

    /// <summary>Removes hidden layer l; the next layer keeps as many of its input columns as fit, zero-filling the rest.</summary>
    private static TrainingCase? DropLayer(TrainingCase c, int l)
    {
        var layers = c.Network.Layers.ToList();
        var parameters = c.Parameters.Select(p => p.DeepCopy()).ToList();
        int inputs = c.Network.InputsOf(l + 1);
        LayerParameters<double> next = parameters[l + 1];
        var w = new Matrix<double>(next.Weight.Rows, inputs);
        for (int r = 0; r < w.Rows; r++)
        {
            for (int q = 0; q < Math.Min(inputs, next.Weight.Cols); q++) w[r, q] = next.Weight[r, q];
        }

        layers.RemoveAt(l);
        parameters.RemoveAt(l);
        parameters[l] = next with { Weight = w };
        return c with { Network = c.Network with { Layers = layers }, Parameters = parameters };
    }

    /// <summary>Removes the last unit of hidden layer l: its row of W and entry of b, and the next layer's matching column.</summary>
    private static TrainingCase Narrow(TrainingCase c, int l)
    {
        var layers = c.Network.Layers.ToList();
        var parameters = c.Parameters.Select(p => p.DeepCopy()).ToList();
        int units = layers[l].Units;
        layers[l] = layers[l] with { Units = units - 1 };
        LayerParameters<double> p = parameters[l], next = parameters[l + 1];
        parameters[l] = new LayerParameters<double>(FirstRows(p.Weight, units - 1), p.Bias.Take(units - 1).ToArray());
        var w = new Matrix<double>(next.Weight.Rows, units - 1);
        for (int r = 0; r < w.Rows; r++)
        {
            for (int q = 0; q < units - 1; q++) w[r, q] = next.Weight[r, q];
        }

        parameters[l + 1] = next with { Weight = w };
        return c with { Network = c.Network with { Layers = layers }, Parameters = parameters };
    }

    /// <summary>Every parameter and input rounded to one decimal.</summary>
    private static TrainingCase Round(TrainingCase c)
    {
        static Matrix<double> R(Matrix<double> m) => new(m.Rows, m.Cols, m.Data.Select(v => Math.Round(v, 1) + 0.0).ToArray());
        return c with
        {
            Parameters = c.Parameters.Select(p => new LayerParameters<double>(R(p.Weight), p.Bias.Select(v => Math.Round(v, 1) + 0.0).ToArray())).ToArray(),
            Batches = c.Batches.Select(b => b with { X = R(b.X) }).ToArray(),
        };
    }

    private static bool Same(TrainingCase a, TrainingCase b)
        => a.Parameters.Zip(b.Parameters).All(p => p.First.Weight.Data.SequenceEqual(p.Second.Weight.Data) && p.First.Bias.SequenceEqual(p.Second.Bias))
           && a.Batches.Zip(b.Batches).All(x => x.First.X.Data.SequenceEqual(x.Second.X.Data));
}
