using System.Numerics;
using Backprop.Core.Activations;
using Backprop.Core.Optimizers;

namespace Backprop.Verification;

/// <summary>
/// A failed end-to-end comparison judged again one step at a time, each step from the
/// implementation's own state, as the property suite checks the core operation by operation:
/// <list type="bullet">
/// <item>its forward and backward pass against the witness's from the parameters the implementation
/// reported before that step (one step of the witness, no optimizer);</item>
/// <item>its update against the one its own gradients imply: the core's optimizer (checked against
/// torch.optim step by step in the property suite), fed the implementation's parameters and
/// gradients from the first step on, so that its state is the one the implementation's run built.</item>
/// </list>
/// Over several steps, an end-to-end run magnifies rounding: training moves both runs apart, and
/// Adam divides tiny gradients by their own size. Judged this way, that drift is not a
/// disagreement, while a wrong formula still fails at its own step.
/// Thread-safe: it holds no state.
/// </summary>
internal static class StepByStep
{
    /// <summary>Where the step-by-step judgement ended.</summary>
    internal enum Verdict
    {
        /// <summary>Every step agrees.</summary>
        Agrees,

        /// <summary>Rounding decided a kink's side at <see cref="Outcome.Step"/>: the steps before it agree, and nothing after compares fairly.</summary>
        KinkDecidedByRounding,

        /// <summary>The forward or backward pass of <see cref="Outcome.Step"/> disagrees with the witness's from the implementation's own parameters.</summary>
        PassDisagrees,

        /// <summary>The update of <see cref="Outcome.Step"/> disagrees with the one the implementation's own gradients imply.</summary>
        UpdateDisagrees,

        /// <summary>The answer lacks what judging a step from it needs (parameters, gradients, shapes): the end-to-end comparison stands.</summary>
        CannotJudge,
    }

    /// <summary>The verdict, the 0-based step it concerns, and for a failed pass the one-step case that shows it.</summary>
    internal sealed record Outcome(Verdict Verdict, int Step, TrainingCase? OneStep = null);

    internal static Outcome Judge(Fixture fixture, Results answer, IWitness witness, Tolerance tolerance)
        => fixture.DType == DType.Float32
            ? Judge<float>(fixture, answer, witness, tolerance)
            : Judge<double>(fixture, answer, witness, tolerance);

    private static Outcome Judge<T>(Fixture fixture, Results answer, IWitness witness, Tolerance tolerance)
        where T : IFloatingPointIeee754<T>
    {
        TrainingCase c = fixture.Case;
        if (answer.Steps.Count != fixture.Expected.Count)
        {
            return new(Verdict.CannotJudge, 0);
        }

        Optimizer<T>? optimizer = c.Optimizer?.Create<T>();
        IReadOnlyList<LayerParameters<double>> before = c.Parameters;
        for (int k = 0; k < answer.Steps.Count; k++)
        {
            StepExpectation reported = answer.Steps[k];

            // The pass, from the implementation's own parameters.
            TrainingCase oneStep = c with { Parameters = before, Batches = [c.BatchOfStep(k)], Optimizer = null, Steps = 1 };
            var passFixture = new Fixture(fixture.Name, fixture.DType, oneStep, witness.Run(oneStep, fixture.DType).Select(StepExpectation.From).ToArray());
            var passAnswer = new Results(answer.Name, [reported with { Parameters = null }]);
            if (!ResultsCheck.Compare(passFixture, passAnswer, tolerance).Quantities.All(q => q.Passed))
            {
                return RoundedBranch(passFixture, passAnswer, tolerance) is not null
                    ? new(Verdict.KinkDecidedByRounding, k)
                    : new(Verdict.PassDisagrees, k, oneStep);
            }

            if (optimizer is null)
            {
                continue;
            }

            // The update, from the implementation's own parameters and gradients.
            if (reported.Parameters is not { } after || reported.Layers is not { } layers || !Fits(before, after, layers))
            {
                return new(Verdict.CannotJudge, k);
            }

            T[][] parameters = Tensors(before.Select(p => p.Convert<T>()));
            T[][] gradients = Tensors(layers.Select(l => new LayerParameters<double>(l.GradWeight!, l.GradBias!).Convert<T>()));
            optimizer.Step(parameters, gradients);
            double[][] reportedAfter = Tensors(after);
            for (int t = 0; t < parameters.Length; t++)
            {
                for (int i = 0; i < parameters[t].Length; i++)
                {
                    if (!tolerance.Accepts(reportedAfter[t][i], double.CreateChecked(parameters[t][i])))
                    {
                        return new(Verdict.UpdateDisagrees, k);
                    }
                }
            }

            before = after;
        }

        return new(Verdict.Agrees, answer.Steps.Count);
    }

    /// <summary>
    /// The index of the first step where rounding decided a piece of a piecewise activation (relu's
    /// z &gt; 0, softplus's threshold): the implementation's z agrees with the witness's within the
    /// tolerance but lies in the other piece, or, where the implementation reports no z for the
    /// layer, the tolerance's band around the witness's z crosses a piece boundary. Null when there
    /// is none, or when the answer does not have one entry per step.
    /// </summary>
    internal static int? RoundedBranch(Fixture fixture, Results answer, Tolerance tolerance)
    {
        if (answer.Steps.Count != fixture.Expected.Count)
        {
            return null;
        }

        IReadOnlyList<LayerSpec> layers = fixture.Case.Network.Layers;
        for (int k = 0; k < fixture.Expected.Count; k++)
        {
            for (int l = 0; l < layers.Count; l++)
            {
                if (layers[l].Activation is not ElementwiseActivation g || fixture.Expected[k].Layers?[l].Z is not { } expected)
                {
                    continue;
                }

                Matrix<double>? reported = answer.Steps[k].Layers is { } given && l < given.Count ? given[l].Z : null;
                bool compare = reported is not null && reported.Rows == expected.Rows && reported.Cols == expected.Cols;
                for (int i = 0; i < expected.Data.Length; i++)
                {
                    double z = expected.Data[i], band = tolerance.Allowed(z);
                    bool rounded = compare
                        ? g.Piece(reported!.Data[i]) != g.Piece(z) && tolerance.Accepts(reported.Data[i], z)
                        : g.Piece(z - band) != g.Piece(z + band);
                    if (rounded)
                    {
                        return k;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>True when the reported parameters and gradients have the shapes of the parameters before the step.</summary>
    private static bool Fits(IReadOnlyList<LayerParameters<double>> before, IReadOnlyList<LayerParameters<double>> after, IReadOnlyList<LayerExpectation> layers)
        => after.Count == before.Count && layers.Count == before.Count && Enumerable.Range(0, before.Count).All(l =>
            after[l].Weight.Rows == before[l].Weight.Rows && after[l].Weight.Cols == before[l].Weight.Cols && after[l].Bias.Length == before[l].Bias.Length &&
            layers[l].GradWeight is { } gw && gw.Rows == before[l].Weight.Rows && gw.Cols == before[l].Weight.Cols &&
            layers[l].GradBias is { } gb && gb.Length == before[l].Bias.Length);

    /// <summary>Each layer's weight and bias as the optimizer takes them, in the order the core's training passes them.</summary>
    private static T[][] Tensors<T>(IEnumerable<LayerParameters<T>> layers)
        where T : INumberBase<T>
        => layers.SelectMany(p => new[] { p.Weight.Data, p.Bias }).ToArray();
}
