using System.Globalization;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Verification;

/// <summary>A likely cause of a disagreement, and the evidence for it. Thread-safe: immutable.</summary>
public sealed record Finding(string Cause, string Evidence)
{
    public override string ToString() => $"likely cause: {Cause}\n  evidence: {Evidence}";
}

/// <summary>
/// Names the first disagreement in dependency order and recognises the signatures of common
/// differences of convention between an implementation and PyTorch:
/// an exact constant ratio over a whole quantity (named when it is n, k, n·k, 2 or ½, or −1, a
/// sign flip), a transposed matrix, disagreement only where Z is exactly at a kink, only where the
/// output saturates (BCE's clamp), a difference of exactly wd·p in a gradient or lr·wd·p after an
/// update (weight decay's convention), an Adam difference only where the gradient is tiny (ε's
/// placement), and agreement at step 1 but not at step 2 (optimizer state).
/// Thread-safe: it holds no state.
/// </summary>
public static class Diagnosis
{
    public static IReadOnlyList<Finding> Diagnose(Fixture fixture, Results results, IReadOnlyList<QuantityComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(results);
        return Diagnose(fixture.Header, k => fixture.Expected[k], k => results.Steps[k], comparisons);
    }

    /// <summary>
    /// The same, for a check that streams its steps: <paramref name="expected"/> and
    /// <paramref name="actual"/> give step k (0-based); only the first disagreement's step, and
    /// for an update the expected step before it, are asked for.
    /// </summary>
    internal static IReadOnlyList<Finding> Diagnose(
        FixtureHeader fixture, Func<int, StepExpectation> expected, Func<int, StepExpectation> actual, IReadOnlyList<QuantityComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        QuantityComparison? first = comparisons.FirstOrDefault(c => !c.Passed);
        if (first is null)
        {
            return [];
        }

        var findings = new List<Finding>();
        var look = new Look(fixture, expected, actual, first);
        if (first.ShapeError is { } shape)
        {
            findings.Add(shape.Contains("transpose", StringComparison.Ordinal)
                ? new Finding($"a transposed matrix: {first.Quantity} has the transposed shape", shape)
                : new Finding($"a difference of structure in {first.Quantity}", shape));
            return findings;
        }

        findings.AddRange(new[] { look.OptimizerState(comparisons) }.OfType<Finding>());
        Finding? specific = look.Transposed() ?? look.Ratio() ?? look.Kink() ?? look.Saturation() ?? look.WeightDecay() ?? look.AdamEpsilon();
        if (specific is not null)
        {
            findings.Add(specific);
        }

        if (findings.Count == 0)
        {
            findings.Add(new Finding("no known signature", $"the first disagreement in dependency order is {first.Describe(fixture.DType)}"));
        }

        return findings;
    }

    /// <summary>The first disagreement with everything needed to read its signature.</summary>
    private sealed class Look(FixtureHeader fixture, Func<int, StepExpectation> expected, Func<int, StepExpectation> actual, QuantityComparison first)
    {
        private readonly int k = first.Step ?? 1;

        private readonly int? layer = first.Layer;

        private StepExpectation Expected => expected(k - 1);

        private StepExpectation Actual => actual(k - 1);

        private int Samples => fixture.Case.Layout.SampleCount(fixture.Case.BatchOfStep(k - 1).X);

        private int Outputs => fixture.Case.Network.Layers[^1].Units;

        private static string G(double x) => x.ToString("G4", CultureInfo.InvariantCulture);

        /// <summary>Every quantity of step 1 agrees, and a later step is the first to disagree.</summary>
        public Finding? OptimizerState(IReadOnlyList<QuantityComparison> comparisons)
        {
            if (k < 2 || fixture.Case.Optimizer is null || comparisons.Where(c => c.Step == 1).Any(c => !c.Passed))
            {
                return null;
            }

            return new Finding(
                "state the optimizer carries from step to step: a momentum buffer (PyTorch's first buffer is the gradient itself, " +
                "undamped), Adam's bias corrections (1 − βᵗ with t counted from 1), or state not kept between steps",
                $"step 1 agrees in every quantity; step {k} is the first to disagree, at {first.Quantity}");
        }

        public Finding? Transposed()
        {
            if (Values(Expected) is not ({ } e, { Rows: > 1 } shape) || Values(Actual) is not ({ } a, _) || shape.Rows != shape.Cols)
            {
                return null;
            }

            Tolerance t = fixture.EffectiveTolerance;
            int n = shape.Rows;
            bool transposed = Enumerable.Range(0, e.Length).All(i => t.Accepts(a[i], e[((i % n) * n) + (i / n)]));
            return transposed
                ? new Finding(
                    $"a transposed matrix: {first.Quantity} is the transpose of libtorch's",
                    $"its {n}×{n} values equal the expected matrix transposed (a square matrix fits either orientation, so only the values tell)")
                : null;
        }

        /// <summary>An exact constant ratio actual/expected over the whole quantity.</summary>
        public Finding? Ratio()
        {
            if (Values(Expected) is not ({ } e, _) || Values(Actual) is not ({ } a, _))
            {
                return null;
            }

            double scale = e.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
            var ratios = new List<double>();
            for (int i = 0; i < e.Length; i++)
            {
                if (!double.IsFinite(e[i]) || !double.IsFinite(a[i]))
                {
                    return null;
                }

                if (Math.Abs(e[i]) > scale * 1e-6)
                {
                    ratios.Add(a[i] / e[i]);
                }
                else if (!fixture.EffectiveTolerance.Accepts(a[i], e[i]))
                {
                    return null; // nonzero where libtorch has (nearly) zero: no single ratio
                }
            }

            if (ratios.Count == 0)
            {
                return null;
            }

            double r = ratios.Average();
            if (Math.Abs(r - 1) < 1e-3 || ratios.Any(x => Math.Abs(x - r) > 1e-4 * Math.Abs(r)))
            {
                return null;
            }

            int n = Samples, kOut = Outputs;
            var named = new (double Value, string Name)[]
            {
                (-1, "−1"), (2, "2"), (0.5, "½"), (n, $"n = {n}, the samples in the batch"), (1.0 / n, $"1/n, n = {n} samples"),
                (kOut, $"k = {kOut}, the output units"), (1.0 / kOut, $"1/k, k = {kOut} output units"),
                ((double)n * kOut, $"n·k = {n * kOut}"), (1.0 / (n * kOut), $"1/(n·k), n·k = {n * kOut}"),
            }.Where(c => Math.Abs(r - c.Value) <= 1e-4 * Math.Abs(c.Value)).Select(c => c.Name).Distinct().ToArray();
            string evidence = ratios.Count == 1 && e.Length == 1
                ? $"{first.Quantity} is {G(r)}× libtorch's"
                : $"every element of {first.Quantity} is {G(r)}× libtorch's ({ratios.Count} nonzero, ratios within 1e-4 of each other)";
            if (named.Length == 0)
            {
                // A single number always has "a constant ratio": only a whole matrix or vector is evidence.
                if (ratios.Count < 2)
                {
                    return null;
                }

                return new Finding($"a constant factor of {G(r)} over the whole of {first.Name}: a scale or a reduction that differs", evidence);
            }

            return new Finding(RatioCause(r, n, kOut), $"{evidence}; {G(r)} is {string.Join(", and also ", named)}");
        }

        /// <summary>Every reading of the ratio r that fits: when n, k and 2 coincide, each is given, and a fixture where they differ tells them apart.</summary>
        private string RatioCause(double r, int n, int kOut)
        {
            Loss loss = fixture.Case.Network.Loss;
            string reduce = loss.Reduction == Reduction.Mean
                ? loss is CrossEntropy ? "PyTorch's cross_entropy mean divides by n, the samples" : $"PyTorch's {loss.Name} mean divides by n·k, every element"
                : $"the fixture's {loss.Name} sums";
            bool cost = first.Name == "cost";
            bool Close(double c) => Math.Abs(r - c) <= 1e-4 * Math.Abs(c);
            var causes = new List<string>();
            if (Close(-1)) causes.Add("a flipped sign: ŷ − y written as y − ŷ, a derivative's sign lost, or ascent instead of descent");
            if (kOut > 1 && Close(kOut)) causes.Add($"a mean over the samples only (divide by n) where {reduce}");
            if (kOut > 1 && Close(1.0 / kOut)) causes.Add($"a mean over every element (divide by n·k) where {reduce}");
            if (n > 1 && Close(n)) causes.Add($"a sum over the samples where {reduce} (the 1/n is missing)");
            if (n > 1 && Close(1.0 / n)) causes.Add($"a mean where {reduce}");
            if (n * kOut > 1 && kOut > 1 && n > 1 && Close((double)n * kOut)) causes.Add($"a sum where {reduce}");
            if (n * kOut > 1 && kOut > 1 && n > 1 && Close(1.0 / (n * kOut))) causes.Add($"a mean over every element where {reduce}");
            if (Close(2))
            {
                causes.Add(cost
                    ? "the cost's convention: a squared error reported as 2·(ŷ − y)² or Σ(ŷ − y)² where the fixture has ½·Σ, or the like"
                    : "a factor 2 in the gradient: the 2 of d(ŷ − y)²/dŷ kept where the cost carries ½, or a cost and its gradient from different conventions");
            }

            if (Close(0.5))
            {
                causes.Add(cost
                    ? "the cost's convention: ½·Σ(ŷ − y)² where the fixture has Σ(ŷ − y)², or the like"
                    : "a factor ½ in the gradient: the 2 of d(ŷ − y)²/dŷ dropped, or a cost and its gradient from different conventions");
            }

            return causes.Count == 1
                ? causes[0]
                : string.Join("; or ", causes) + " (these coincide in this case; a fixture where n, k and 2 differ tells them apart)";
        }

        /// <summary>Disagreement only where the layer's pre-activation sits exactly on its activation's kink.</summary>
        public Finding? Kink()
        {
            if (layer is not { } l || fixture.Case.Network.Layers[l - 1].Activation is not ElementwiseActivation g
                || Expected.Layers?[l - 1].Z is not { } z || !z.Data.Any(g.IsKink))
            {
                return null;
            }

            int atKink = z.Data.Count(g.IsKink);
            if (first.Name == "gradZ" && Values(Expected) is ({ } e, _) && Values(Actual) is ({ } a, _))
            {
                Tolerance t = fixture.EffectiveTolerance;
                int[] bad = Enumerable.Range(0, e.Length).Where(i => !t.Accepts(a[i], e[i])).ToArray();
                if (bad.Length > 0 && bad.All(i => g.IsKink(z.Data[i])))
                {
                    return new Finding(
                        $"the kink convention of {g.Name}: at z = 0 exactly PyTorch takes {g.Name}'(0) = {G(g.Derivative(0, 0))}",
                        $"all {bad.Length} mismatched elements of {first.Quantity} sit where z is exactly 0 ({atKink} such elements in layer {l})");
                }

                return null;
            }

            if (first.Name is "gradWeight" or "gradBias" && Actual.Layers?[l - 1].GradZ is null)
            {
                return new Finding(
                    $"possibly the kink convention of {g.Name} (PyTorch: {g.Name}'(0) = {G(g.Derivative(0, 0))})",
                    $"layer {l} has {atKink} pre-activations exactly at 0 and its gradients disagree; report gradZ to confirm");
            }

            return null;
        }

        /// <summary>Disagreement at the output only where BCE's input saturates at exactly 0 or 1.</summary>
        public Finding? Saturation()
        {
            int L = fixture.Case.Network.Layers.Count;
            if (fixture.Case.Network.Loss is not BinaryCrossEntropy || !(first.Name == "cost" || layer == L)
                || Expected.Layers?[L - 1].A is not { } output || !output.Data.Any(v => v is 0 or 1))
            {
                return null;
            }

            int saturated = output.Data.Count(v => v is 0 or 1);
            string cause = "BCE at a saturated output: PyTorch clamps each log at −100 (a confident wrong answer costs 100 per element " +
                           "before the mean) and its gradient divides by max((1 − a)·a, 1e-12), so ∂J/∂Z is 0 where σ saturates; fusing " +
                           "sigmoid with BCE (∂J/∂Z = a − y) or clipping a at float eps gives other numbers exactly there";
            if (first.Name == "cost")
            {
                return new Finding(cause, $"{saturated} outputs are exactly 0 or 1 and the cost disagrees ({first.Describe(fixture.DType)})");
            }

            if (Values(Expected) is ({ } e, _) && Values(Actual) is ({ } a, _) && e.Length == output.Data.Length)
            {
                Tolerance t = fixture.EffectiveTolerance;
                int[] bad = Enumerable.Range(0, e.Length).Where(i => !t.Accepts(a[i], e[i])).ToArray();
                if (bad.Length > 0 && bad.All(i => output.Data[i] is 0 or 1))
                {
                    return new Finding(cause, $"all {bad.Length} mismatched elements of {first.Quantity} sit where the output is exactly 0 or 1");
                }
            }

            return null;
        }

        /// <summary>A gradient off by exactly wd·W, or updated parameters off by exactly lr·wd·p.</summary>
        public Finding? WeightDecay()
        {
            if (layer is not { } l || fixture.Case.Optimizer is not { } optimizer || Values(Expected) is not ({ } e, _) || Values(Actual) is not ({ } a, _))
            {
                return null;
            }

            // Nesterov's first step takes lr·(1 + momentum)·(g + wd·p) off, since its first buffer is g + wd·p itself.
            (double lr, double wd, double nesterov) = optimizer switch
            {
                Sgd s => (s.Lr, s.WeightDecay, s.Nesterov && k == 1 ? 1 + s.Momentum : 1),
                Adam m => (m.Lr, m.WeightDecay, 1),
                _ => (0, 0, 1),
            };
            if (wd == 0)
            {
                return null;
            }

            LayerParameters<double> before = k == 1 ? fixture.Case.Parameters[l - 1] : expected(k - 2).Parameters![l - 1];
            double[]? p = first.Name switch
            {
                "gradWeight" or "weight after update" => before.Weight.Data,
                "gradBias" or "bias after update" => before.Bias,
                _ => null,
            };
            if (p is null || p.Length != e.Length)
            {
                return null;
            }

            bool gradient = first.Name.StartsWith("grad", StringComparison.Ordinal);
            double unit = gradient ? wd : lr * wd * nesterov;
            foreach (double sign in new[] { 1.0, -1.0 })
            {
                bool matches = Enumerable.Range(0, e.Length).All(i =>
                    Math.Abs(a[i] - e[i] - (sign * unit * p[i])) <= fixture.EffectiveTolerance.Allowed(e[i]));
                if (!matches)
                {
                    continue;
                }

                string what = gradient ? $"wd·p = {G(wd)}·p"
                    : nesterov == 1 ? $"lr·wd·p = {G(lr)}·{G(wd)}·p"
                    : $"lr·wd·p·(1 + momentum) = {G(lr)}·{G(wd)}·p·{G(nesterov)} (Nesterov's first step)";
                string evidence = $"{first.Quantity} differs from libtorch's by {(sign > 0 ? "+" : "−")}{what}, element by element (p the parameter before step {k})";
                string cause = gradient
                    ? "weight decay as an L2 term in the loss: the gradients include wd·p, where PyTorch's gradients are the cost's alone and torch.optim applies the decay in the step"
                    : sign > 0
                        ? first.Name.StartsWith("bias", StringComparison.Ordinal)
                            ? "biases left out of weight decay: torch.optim decays every parameter it is given, biases included"
                            : "weight decay left out of the update (torch.optim takes lr·wd·p off each parameter)"
                        : "weight decay applied twice, or as an extra decoupled step (AdamW's p·(1 − lr·wd)) on top of the optimizer's own";
                return new Finding(cause, evidence);
            }

            return null;
        }

        /// <summary>Adam's updates disagree only where the gradient is tiny, which is where ε matters.</summary>
        public Finding? AdamEpsilon()
        {
            if (layer is not { } l || fixture.Case.Optimizer is not Adam || !first.Name.EndsWith("after update", StringComparison.Ordinal)
                || Values(Expected) is not ({ } e, _) || Values(Actual) is not ({ } a, _))
            {
                return null;
            }

            double[]? g = first.Name.StartsWith("weight", StringComparison.Ordinal)
                ? Expected.Layers?[l - 1].GradWeight?.Data
                : Expected.Layers?[l - 1].GradBias;
            if (g is null || g.Length != e.Length)
            {
                return null;
            }

            Tolerance t = fixture.EffectiveTolerance;
            double[] bad = Enumerable.Range(0, e.Length).Where(i => !t.Accepts(a[i], e[i])).Select(i => Math.Abs(g[i])).ToArray();
            double[] good = Enumerable.Range(0, e.Length).Where(i => t.Accepts(a[i], e[i])).Select(i => Math.Abs(g[i])).Order().ToArray();
            // ε's share of the denominator grows as |g| shrinks: the mismatches are exactly the smallest gradients, down to tiny ones.
            if (bad.Length == 0 || good.Length == 0 || !(bad.Max() < good[0]) || !(bad.Min() < 0.01 * good[^1]))
            {
                return null;
            }

            return new Finding(
                "ε's placement in Adam: PyTorch adds ε after the bias-corrected square root, p −= lr·m̂/(√v̂ + ε); folding the bias " +
                "correction into the learning rate makes ε act as ε/√(1 − β₂ᵗ), which shows only where gradients are tiny",
                $"the {bad.Length} mismatched elements of {first.Quantity} have |gradient| ≤ {G(bad.Max())}, down to {G(bad.Min())}; " +
                $"every agreeing one has |gradient| ≥ {G(good[0])}");
        }

        /// <summary>The first disagreement's values in a step (expected or actual), with its shape.</summary>
        private (double[]? Values, (int Rows, int Cols) Shape) Values(StepExpectation step)
        {
            LayerExpectation? at = layer is { } l && step.Layers is { } ls && l <= ls.Count ? ls[l - 1] : null;
            LayerParameters<double>? p = layer is { } m && step.Parameters is { } ps && m <= ps.Count ? ps[m - 1] : null;
            Matrix<double>? matrix = first.Name switch
            {
                "z" => at?.Z,
                "a" => at?.A,
                "gradA" => at?.GradA,
                "gradZ" => at?.GradZ,
                "gradWeight" => at?.GradWeight,
                "weight after update" => p?.Weight,
                _ => null,
            };
            if (matrix is not null)
            {
                return (matrix.Data, (matrix.Rows, matrix.Cols));
            }

            double[]? vector = first.Name switch
            {
                "gradBias" => at?.GradBias,
                "bias after update" => p?.Bias,
                "cost" => [step.Cost],
                _ => null,
            };
            return (vector, (1, vector?.Length ?? 0));
        }
    }
}
