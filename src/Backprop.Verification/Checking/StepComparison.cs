using Backprop.Verification;

namespace Backprop.Verification;

/// <summary>
/// The one comparison routine: every quantity an expectation holds, against what a run produced,
/// in the order the algorithm computes them: z and a layer by layer, the cost, then gradA, gradZ,
/// gradWeight and gradBias from the last layer back to the first, then the updated parameters.
/// </summary>
public static class StepComparison
{
    /// <summary>Compares step <paramref name="step"/> (1-based, for the names).</summary>
    public static IReadOnlyList<QuantityComparison> Compare(
        int step, StepExpectation expected, StepRecord<double> actual, Tolerance tolerance)
    {
        var results = new List<QuantityComparison>();
        void Add(int? layer, string name, Func<string, QuantityComparison> compare)
            => results.Add(compare(layer is null ? $"step {step} {name}" : $"step {step} layer {layer} {name}") with
            {
                Step = step,
                Layer = layer,
                Name = name,
            });

        IReadOnlyList<LayerExpectation> layers = expected.Layers ?? [];
        for (int i = 0; i < layers.Count; i++)
        {
            (LayerExpectation e, LayerRecord<double> a, int l) = (layers[i], actual.Layers[i], i + 1);
            if (e.Z is { } z) Add(l, "z", q => QuantityComparison.Compare(q, z, a.Z, tolerance));
            if (e.A is { } act) Add(l, "a", q => QuantityComparison.Compare(q, act, a.A, tolerance));
        }

        Add(null, "cost", q => QuantityComparison.Compare(q, expected.Cost, actual.Cost, tolerance));
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            (LayerExpectation e, LayerRecord<double> a, int l) = (layers[i], actual.Layers[i], i + 1);
            if (e.GradA is { } gradA) Add(l, "gradA", q => QuantityComparison.Compare(q, gradA, a.GradA, tolerance));
            if (e.GradZ is { } gradZ) Add(l, "gradZ", q => QuantityComparison.Compare(q, gradZ, a.GradZ, tolerance));
            if (e.GradWeight is { } gradW) Add(l, "gradWeight", q => QuantityComparison.Compare(q, gradW, a.GradWeight, tolerance));
            if (e.GradBias is { } gradB) Add(l, "gradBias", q => QuantityComparison.Compare(q, gradB, a.GradBias, tolerance));
        }

        if (expected.Parameters is { } parameters)
        {
            if (actual.Parameters is null)
            {
                throw new ArgumentException($"step {step}: updated parameters are expected, but the run made no update");
            }

            for (int i = 0; i < parameters.Count; i++)
            {
                Add(i + 1, "weight after update", q => QuantityComparison.Compare(q, parameters[i].Weight, actual.Parameters[i].Weight, tolerance));
                Add(i + 1, "bias after update", q => QuantityComparison.Compare(q, parameters[i].Bias, actual.Parameters[i].Bias, tolerance));
            }
        }

        return results;
    }

    /// <summary>Compares every step of a run with every step of an expectation.</summary>
    public static IReadOnlyList<QuantityComparison> Compare(
        IReadOnlyList<StepExpectation> expected, IReadOnlyList<StepRecord<double>> actual, Tolerance tolerance)
    {
        if (expected.Count != actual.Count)
        {
            throw new ArgumentException($"{expected.Count} steps are expected but the run made {actual.Count}");
        }

        return expected.SelectMany((e, k) => Compare(k + 1, e, actual[k], tolerance)).ToArray();
    }
}
