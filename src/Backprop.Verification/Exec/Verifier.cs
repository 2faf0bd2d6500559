using Backprop.Core.Activations;

namespace Backprop.Verification;

/// <summary>How a verification run draws its cases and judges the answers. Thread-safe: immutable.</summary>
public sealed record VerifyOptions(DType DType, int Networks, int Seed, RandomNetworkOptions Draw)
{
    /// <summary>Overrides the dtype's default tolerance.</summary>
    public Tolerance? Tolerance { get; init; }

    /// <summary>At most this many smaller cases are tried while shrinking a failure.</summary>
    public int MaxShrinkAttempts { get; init; } = 500;
}

/// <summary>A disagreement, shrunk: the smallest failing case as a fixture with the witness's expectations, the answer, and the comparison. Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).</summary>
public sealed record VerifyFailure(RandomNetwork Original, RandomNetwork Smallest, Fixture Fixture, Results Answer, ResultsCheck Check, int ShrinkSteps);

/// <summary>
/// How a run ended: how many cases were compared; how many of those agreed only when judged step
/// by step from the implementation's own state (<paramref name="StepByStep"/>: end to end, rounding
/// had grown past the tolerance); how many were compared over their first steps only
/// (<paramref name="Shortened"/>) and how many were skipped, because from some later step, or from
/// the first, the witness's own run overflowed or passed 1e6, or rounding decided which side of a
/// kink a pre-activation fell on (nothing compares fairly there); and the first failure, shrunk, if any.
/// Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).
/// </summary>
public sealed record VerifyOutcome(int Compared, int StepByStep, int Shortened, int Skipped, VerifyFailure? Failure);

/// <summary>
/// The engine behind <c>backprop verify --exec</c> and the in-process route for C# networks:
/// random networks drawn as the property suite draws them (restricted to what the implementation
/// supports), each answered by the implementation and by the witness, compared quantity by
/// quantity; on a disagreement, the case is shrunk (fewer steps, no optimizer, one batch, fewer
/// samples, inputs, layers and units, then rounder values), asking the same implementation each
/// time, until no smaller case fails.
/// Thread-safe: it holds no state; a run asks its implementation one question at a time.
/// </summary>
public static class Verifier
{
    public static VerifyOutcome Run(IImplementation implementation, IWitness witness, VerifyOptions options, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(implementation);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(options);
        int compared = 0, stepByStep = 0, shortened = 0, skipped = 0;

        // The witness prepares the next case on another thread while the implementation answers.
        Task<(RandomNetwork Network, Fixture Fixture, bool Shortened)?> Prepare(int i) => Task.Run(() =>
        {
            int seed = unchecked(options.Seed + i);
            return Expected(RandomNetworks.Build(seed, options.DType, options.Draw), witness, Name(seed, 0));
        });

        Task<(RandomNetwork Network, Fixture Fixture, bool Shortened)?>? next = options.Networks > 0 ? Prepare(0) : null;
        int drawn = 0, done = 0;

        // A process is asked one case ahead, so it computes the next while this one is compared.
        var inFlight = new Queue<(RandomNetwork Network, Fixture Fixture, bool Shortened)>();
        int ahead = implementation is IPipelinedImplementation ? 2 : 1;
        void Ask()
        {
            while (inFlight.Count < ahead && drawn < options.Networks)
            {
                (RandomNetwork Network, Fixture Fixture, bool Shortened)? prepared = next!.GetAwaiter().GetResult();
                next = ++drawn < options.Networks ? Prepare(drawn) : null;
                if (prepared is not { } asked)
                {
                    skipped++;
                    progress?.Invoke(++done);
                    continue;
                }

                shortened += asked.Shortened ? 1 : 0;
                (implementation as IPipelinedImplementation)?.Send(asked.Fixture);
                inFlight.Enqueue(asked);
            }
        }

        Ask();
        while (inFlight.TryDequeue(out var current))
        {
            Results answer = implementation is IPipelinedImplementation pipe ? pipe.Receive(current.Fixture) : implementation.Run(current.Fixture);
            Ask();
            if (Judge(witness, current.Network, current.Fixture, answer, options) is not { } judged)
            {
                skipped++;
                progress?.Invoke(++done);
                continue;
            }

            compared++;
            stepByStep += judged.Verdict == Judgement.AgreesStepByStep ? 1 : 0;
            shortened += judged.Verdict == Judgement.AgreesBeforeKink && !current.Shortened ? 1 : 0;
            if (judged.Verdict == Judgement.Disagrees)
            {
                // The cases asked ahead are answered and set aside, and no witness run is left behind.
                while (inFlight.TryDequeue(out var pending))
                {
                    (implementation as IPipelinedImplementation)?.Receive(pending.Fixture);
                }

                next?.Wait();
                return new VerifyOutcome(compared, stepByStep, shortened, skipped, Shrink(implementation, witness, judged.Network, judged.Asked, options));
            }

            progress?.Invoke(++done);
        }

        return new VerifyOutcome(compared, stepByStep, shortened, skipped, null);
    }

    /// <summary>The case as a fixture whose expectations the witness computed: what the implementation is compared with.</summary>
    public static Fixture Expect(RandomNetwork network, IWitness witness, string name, string description)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(witness);
        return FixtureOf(network, witness.Run(network.Case, network.DType), witness, name, description);
    }

    private static Fixture FixtureOf(RandomNetwork network, IReadOnlyList<StepRecord<double>> expected, IWitness witness, string name, string description)
        => new(
            name, network.DType, network.Case, expected.Select(StepExpectation.From).ToArray(),
            Description: description,
            Source: $"random network seed {network.Seed} ({network.Regime} values), {network.Case.Network.Widths}",
            Generator: $"backprop verify --exec ({witness.Name})");

    private static string Name(int seed, int shrinks) => $"verify-seed-{(uint)seed}" + (shrinks == 0 ? "" : $"-shrunk-{shrinks}");

    /// <summary>
    /// The case with the witness's expectations, cut to the steps before the first at which the
    /// witness's own run overflows or passes 1e6 (from there on, last bits decide between ±∞ and NaN,
    /// and nothing compares fairly); null when that is the first step.
    /// </summary>
    private static (RandomNetwork Network, Fixture Fixture, bool Shortened)? Expected(RandomNetwork network, IWitness witness, string name)
    {
        IReadOnlyList<StepRecord<double>> expected = witness.Run(network.Case, network.DType);
        int fair = 0;
        while (fair < expected.Count && !network.Overflowed([expected[fair]]) && !network.Diverged([expected[fair]]))
        {
            fair++;
        }

        if (fair == 0)
        {
            return null;
        }

        bool shortened = fair < expected.Count;
        if (shortened)
        {
            // The witness computes each step from the ones before, so a shorter run's steps are these.
            network = network with { Case = network.Case with { Steps = fair } };
            expected = expected.Take(fair).ToArray();
        }

        return (network, FixtureOf(network, expected, witness, name, "a random case drawn by backprop verify --exec"), shortened);
    }

    /// <summary>The failing case (cut as <see cref="Expected"/> and <see cref="Judge"/> cut it), the implementation's answer and its comparison; null when the case agrees or cannot be compared.</summary>
    private static (RandomNetwork Network, (Fixture Fixture, Results Answer, ResultsCheck Check) Asked)? Ask(
        IImplementation implementation, IWitness witness, RandomNetwork network, string name, VerifyOptions options)
    {
        if (Expected(network, witness, name) is not { } expected)
        {
            return null;
        }

        return Judge(witness, expected.Network, expected.Fixture, implementation.Run(expected.Fixture), options) is { Verdict: Judgement.Disagrees } judged
            ? (judged.Network, judged.Asked)
            : null;
    }

    private enum Judgement
    {
        Agrees,
        AgreesStepByStep,
        AgreesBeforeKink,
        Disagrees,
    }

    /// <summary>
    /// The answer compared with the fixture end to end; where that fails, judged again step by step
    /// from the implementation's own state (<see cref="StepByStep"/>). A disagreement is then the
    /// smallest case that shows it: the one step whose forward or backward pass disagrees (with the
    /// witness's expectations from the implementation's parameters before it), or the run up to
    /// the step whose update disagrees; where the step-by-step judgement cannot be made, the whole
    /// run. Where rounding decided a kink's side, the steps before it are what agrees; null when
    /// that is the first step, leaving nothing to compare.
    /// </summary>
    private static (RandomNetwork Network, (Fixture Fixture, Results Answer, ResultsCheck Check) Asked, Judgement Verdict)? Judge(
        IWitness witness, RandomNetwork network, Fixture fixture, Results answer, VerifyOptions options)
    {
        ResultsCheck check = ResultsCheck.Compare(fixture, answer, options.Tolerance);
        if (check.ExitCode != FixtureCheck.Mismatch)
        {
            return (network, (fixture, answer, check), check.ExitCode == FixtureCheck.Passed ? Judgement.Agrees : Judgement.Disagrees);
        }

        StepByStep.Outcome judged;
        try
        {
            judged = StepByStep.Judge(fixture, answer, witness, check.Tolerance);
        }
        catch (ArgumentException)
        {
            judged = new(StepByStep.Verdict.CannotJudge, 0); // the witness refused the implementation's parameters (say, ±∞)
        }

        switch (judged.Verdict)
        {
            case StepByStep.Verdict.Agrees:
                return (network, (fixture, answer, check), Judgement.AgreesStepByStep);
            case StepByStep.Verdict.KinkDecidedByRounding:
                return judged.Step == 0 ? null : (network, (fixture, answer, check), Judgement.AgreesBeforeKink);
            case StepByStep.Verdict.PassDisagrees:
                {
                    var one = network with { Case = judged.OneStep! };
                    Fixture oneFixture = FixtureOf(one, witness.Run(one.Case, one.DType), witness, $"{fixture.Name}-step-{judged.Step + 1}",
                        $"step {judged.Step + 1} of {fixture.Name}, from the parameters the implementation reported before it");
                    Results oneAnswer = answer with { Steps = [answer.Steps[judged.Step] with { Parameters = null }] };
                    ResultsCheck oneCheck = ResultsCheck.Compare(oneFixture, oneAnswer, options.Tolerance);
                    if (oneCheck.ExitCode == FixtureCheck.Mismatch)
                    {
                        return (one, (oneFixture, oneAnswer, oneCheck), Judgement.Disagrees);
                    }

                    break;
                }

            case StepByStep.Verdict.UpdateDisagrees:
                {
                    int steps = judged.Step + 1;
                    Fixture cut = fixture with { Case = fixture.Case with { Steps = steps }, Expected = fixture.Expected.Take(steps).ToArray() };
                    Results kept = answer with { Steps = answer.Steps.Take(steps).ToArray() };
                    ResultsCheck cutCheck = ResultsCheck.Compare(cut, kept, options.Tolerance);
                    if (cutCheck.ExitCode == FixtureCheck.Mismatch)
                    {
                        return (network with { Case = network.Case with { Steps = steps } }, (cut, kept, cutCheck), Judgement.Disagrees);
                    }

                    break;
                }
        }

        return (network, (fixture, answer, check), Judgement.Disagrees);
    }

    private static VerifyFailure Shrink(
        IImplementation implementation, IWitness witness, RandomNetwork original, (Fixture Fixture, Results Answer, ResultsCheck Check) failing, VerifyOptions options)
    {
        RandomNetwork smallest = original;
        int steps = 0, attempts = 0;
        bool smaller = true;
        while (smaller && attempts < options.MaxShrinkAttempts)
        {
            smaller = false;
            foreach (RandomNetwork candidate in Shrinking.Shrink(smallest))
            {
                if (++attempts > options.MaxShrinkAttempts)
                {
                    break;
                }

                (RandomNetwork Network, (Fixture Fixture, Results Answer, ResultsCheck Check) Asked)? asked;
                try
                {
                    asked = Ask(implementation, witness, candidate, Name(original.Seed, steps + 1), options);
                }
                catch (ArgumentException)
                {
                    continue; // a smaller case the core or the witness refuses is not a smaller failing case
                }

                if (asked is { Asked.Check.ExitCode: FixtureCheck.Mismatch } found)
                {
                    (smallest, failing, smaller) = (found.Network, found.Asked, true);
                    steps++;
                    break;
                }
            }
        }

        QuantityComparison first = failing.Check.Quantities.First(q => !q.Passed);
        Fixture fixture = failing.Fixture with
        {
            Description = $"The smallest failing case backprop verify --exec found from random seed {original.Seed} ({steps} shrinking steps): " +
                          $"the first disagreement was {first.Quantity}.",
        };
        return new VerifyFailure(original, smallest, fixture, failing.Answer, failing.Check, steps);
    }
}
