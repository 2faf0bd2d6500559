using Backprop.Core.Fixtures;

namespace Backprop.Core.Checking;

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
        void Add(string quantity, Func<string, QuantityComparison> compare) => results.Add(compare($"step {step} {quantity}"));

        IReadOnlyList<LayerExpectation> layers = expected.Layers ?? [];
        for (int i = 0; i < layers.Count; i++)
        {
            (LayerExpectation e, LayerRecord<double> a, string layer) = (layers[i], actual.Layers[i], $"layer {i + 1}");
            if (e.Z is { } z) Add($"{layer} z", q => QuantityComparison.Compare(q, z, a.Z, tolerance));
            if (e.A is { } act) Add($"{layer} a", q => QuantityComparison.Compare(q, act, a.A, tolerance));
        }

        Add("cost", q => QuantityComparison.Compare(q, expected.Cost, actual.Cost, tolerance));
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            (LayerExpectation e, LayerRecord<double> a, string layer) = (layers[i], actual.Layers[i], $"layer {i + 1}");
            if (e.GradA is { } gradA) Add($"{layer} gradA", q => QuantityComparison.Compare(q, gradA, a.GradA, tolerance));
            if (e.GradZ is { } gradZ) Add($"{layer} gradZ", q => QuantityComparison.Compare(q, gradZ, a.GradZ, tolerance));
            if (e.GradWeight is { } gradW) Add($"{layer} gradWeight", q => QuantityComparison.Compare(q, gradW, a.GradWeight, tolerance));
            if (e.GradBias is { } gradB) Add($"{layer} gradBias", q => QuantityComparison.Compare(q, gradB, a.GradBias, tolerance));
        }

        if (expected.Parameters is { } parameters)
        {
            if (actual.Parameters is null)
            {
                throw new ArgumentException($"step {step}: updated parameters are expected, but the run made no update");
            }

            for (int i = 0; i < parameters.Count; i++)
            {
                string layer = $"layer {i + 1}";
                Add($"{layer} weight after update", q => QuantityComparison.Compare(q, parameters[i].Weight, actual.Parameters[i].Weight, tolerance));
                Add($"{layer} bias after update", q => QuantityComparison.Compare(q, parameters[i].Bias, actual.Parameters[i].Bias, tolerance));
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
