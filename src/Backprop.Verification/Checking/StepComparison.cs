namespace Backprop.Verification;

/// <summary>
/// The one comparison routine: every quantity an expectation holds, against what a run produced,
/// in the order the algorithm computes them (dependency order): z and a layer by layer, the cost,
/// then gradA, gradZ, gradWeight and gradBias from the last layer back to the first, then the
/// updated parameters. A run may leave quantities out (results from another implementation):
/// those are reported as not provided, and missing or extra steps, layers and parameters as
/// failures of structure.
/// Thread-safe: it holds no state.
/// </summary>
public static class StepComparison
{
    /// <summary>Compares step <paramref name="step"/> (1-based, for the names).</summary>
    public static IReadOnlyList<QuantityComparison> Compare(
        int step, StepExpectation expected, StepRecord<double> actual, Tolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Parameters is not null && actual.Parameters is null)
        {
            throw new ArgumentException($"step {step}: updated parameters are expected, but the run made no update");
        }

        return Compare(step, expected, StepExpectation.From(actual), tolerance);
    }

    /// <summary>Compares step <paramref name="step"/> of reported results, which may leave quantities out.</summary>
    public static IReadOnlyList<QuantityComparison> Compare(
        int step, StepExpectation expected, StepExpectation actual, Tolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var results = new List<QuantityComparison>();
        void Add(int? layer, string name, Func<string, QuantityComparison> compare)
            => results.Add(compare(layer is null ? $"step {step} {name}" : $"step {step} layer {layer} {name}") with
            {
                Step = step,
                Layer = layer,
                Name = name,
            });
        void Matrix(int layer, string name, Matrix<double>? e, Matrix<double>? a)
        {
            if (e is not null) Add(layer, name, q => a is null ? QuantityComparison.Absent(q) : QuantityComparison.Compare(q, e, a, tolerance));
        }

        void Vector(int layer, string name, double[]? e, double[]? a)
        {
            if (e is not null) Add(layer, name, q => a is null ? QuantityComparison.Absent(q) : QuantityComparison.Compare(q, e, a, tolerance));
        }

        IReadOnlyList<LayerExpectation> layers = expected.Layers ?? [], reported = actual.Layers ?? [];
        int shared = Math.Min(layers.Count, reported.Count);
        if (expected.Layers is not null && reported.Count != layers.Count)
        {
            Add(null, "layers", q => QuantityComparison.Structure(q, $"expected {layers.Count} layer entries, got {reported.Count}"));
        }

        for (int i = 0; i < shared; i++)
        {
            Matrix(i + 1, "z", layers[i].Z, reported[i].Z);
            Matrix(i + 1, "a", layers[i].A, reported[i].A);
        }

        Add(null, "cost", q => QuantityComparison.Compare(q, expected.Cost, actual.Cost, tolerance));
        for (int i = shared - 1; i >= 0; i--)
        {
            (LayerExpectation e, LayerExpectation a, int l) = (layers[i], reported[i], i + 1);
            Matrix(l, "gradA", e.GradA, a.GradA);
            Matrix(l, "gradZ", e.GradZ, a.GradZ);
            Matrix(l, "gradWeight", e.GradWeight, a.GradWeight);
            Vector(l, "gradBias", e.GradBias, a.GradBias);
        }

        if (expected.Parameters is { } parameters)
        {
            IReadOnlyList<LayerParameters<double>> updated = actual.Parameters ?? [];
            if (updated.Count != parameters.Count)
            {
                Add(null, "parameters after update", q => QuantityComparison.Structure(q, $"expected {parameters.Count} layer entries, got {updated.Count}"));
            }

            for (int i = 0; i < Math.Min(parameters.Count, updated.Count); i++)
            {
                Add(i + 1, "weight after update", q => QuantityComparison.Compare(q, parameters[i].Weight, updated[i].Weight, tolerance));
                Add(i + 1, "bias after update", q => QuantityComparison.Compare(q, parameters[i].Bias, updated[i].Bias, tolerance));
            }
        }

        return results;
    }

    /// <summary>Compares every step of a run with every step of an expectation.</summary>
    public static IReadOnlyList<QuantityComparison> Compare(
        IReadOnlyList<StepExpectation> expected, IReadOnlyList<StepRecord<double>> actual, Tolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Count != actual.Count)
        {
            throw new ArgumentException($"{expected.Count} steps are expected but the run made {actual.Count}");
        }

        return expected.SelectMany((e, k) => Compare(k + 1, e, actual[k], tolerance)).ToArray();
    }

    /// <summary>
    /// Compares reported results with a fixture's expectations, step by step: a missing step is a
    /// failure that says so (one per step), extra steps are one failure that counts them, and
    /// quantities the results leave out are not provided.
    /// </summary>
    public static IReadOnlyList<QuantityComparison> Compare(IReadOnlyList<StepExpectation> expected, Results results, Tolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(results);
        var all = new List<QuantityComparison>();
        for (int k = 0; k < Math.Max(expected.Count, results.Steps.Count); k++)
        {
            if (Step(k, expected.Count, results.Steps.Count) is { } structure)
            {
                all.Add(structure);
                if (k >= expected.Count)
                {
                    break;
                }
            }
            else
            {
                all.AddRange(Compare(k + 1, expected[k], results.Steps[k], tolerance));
            }
        }

        return all;
    }

    /// <summary>Step k (0-based) as a failure of structure when one side lacks it, else null.</summary>
    internal static QuantityComparison? Step(int k, int expected, int reported)
    {
        string step = $"step {k + 1}";
        return k >= reported
            ? QuantityComparison.Structure(step, $"missing: the fixture has {expected} steps, the results {reported}") with { Step = k + 1, Name = "step" }
            : k >= expected
                ? QuantityComparison.Structure(step, $"extra: the fixture has {expected} steps, the results {reported}") with { Step = k + 1, Name = "step" }
                : null;
    }
}
