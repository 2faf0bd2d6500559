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
/// How a run ended: how many cases were compared; how many of those were compared over their first
/// steps only (<paramref name="Shortened"/>), and how many were skipped, because the witness's own
/// run overflowed or diverged past 1e6 at a later step or at the first (from there, last bits
/// decide ±∞ against NaN, and nothing can be compared fairly); and the first failure, shrunk, if any.
/// Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).
/// </summary>
public sealed record VerifyOutcome(int Compared, int Shortened, int Skipped, VerifyFailure? Failure);

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
        int compared = 0, shortened = 0, skipped = 0;

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
            if (Judge(current.Network, current.Fixture, answer, options) is not { } judged)
            {
                skipped++;
                progress?.Invoke(++done);
                continue;
            }

            compared++;
            shortened += judged.Cut && !current.Shortened ? 1 : 0;
            if (judged.Asked.Check.ExitCode != FixtureCheck.Passed)
            {
                // The cases asked ahead are answered and set aside, and no witness run is left behind.
                while (inFlight.TryDequeue(out var pending))
                {
                    (implementation as IPipelinedImplementation)?.Receive(pending.Fixture);
                }

                next?.Wait();
                return new VerifyOutcome(compared, shortened, skipped, Shrink(implementation, witness, judged.Network, judged.Asked, options));
            }

            progress?.Invoke(++done);
        }

        return new VerifyOutcome(compared, shortened, skipped, null);
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

    /// <summary>The case as asked (cut as <see cref="Expected"/> cuts it), the implementation's answer and its comparison; null when the witness's own run cannot be compared.</summary>
    private static (RandomNetwork Network, (Fixture Fixture, Results Answer, ResultsCheck Check) Asked)? Ask(
        IImplementation implementation, IWitness witness, RandomNetwork network, string name, VerifyOptions options)
    {
        if (Expected(network, witness, name) is not { } expected)
        {
            return null;
        }

        return Judge(expected.Network, expected.Fixture, implementation.Run(expected.Fixture), options) is { } judged
            ? (judged.Network, judged.Asked)
            : null;
    }

    /// <summary>
    /// The answer compared with the fixture. Where the comparison fails and rounding decided which
    /// side of a kink a pre-activation fell on (<see cref="RoundedBranch"/>), both runs took
    /// different, equally right derivatives from that step on, so only the steps before it are
    /// compared (<c>Cut</c>); null when that is the first step, leaving nothing to compare.
    /// </summary>
    private static (RandomNetwork Network, (Fixture Fixture, Results Answer, ResultsCheck Check) Asked, bool Cut)? Judge(
        RandomNetwork network, Fixture fixture, Results answer, VerifyOptions options)
    {
        ResultsCheck check = ResultsCheck.Compare(fixture, answer, options.Tolerance);
        if (check.ExitCode != FixtureCheck.Mismatch || RoundedBranch(fixture, answer, check.Tolerance) is not { } before)
        {
            return (network, (fixture, answer, check), false);
        }

        if (before == 0)
        {
            return null;
        }

        network = network with { Case = network.Case with { Steps = before } };
        Fixture cut = fixture with { Case = fixture.Case with { Steps = before }, Expected = fixture.Expected.Take(before).ToArray() };
        Results kept = answer with { Steps = answer.Steps.Take(before).ToArray() };
        return (network, (cut, kept, ResultsCheck.Compare(cut, kept, options.Tolerance)), true);
    }

    /// <summary>
    /// The index of the first step where rounding decided a piece of a piecewise activation (relu's
    /// z &gt; 0, softplus's threshold): the implementation's z agrees with the witness's within the
    /// tolerance but lies in the other piece, or, where the implementation reports no z for the
    /// layer, the tolerance's band around the witness's z crosses a piece boundary. Null when there
    /// is none, or when the answer does not have one entry per step.
    /// </summary>
    private static int? RoundedBranch(Fixture fixture, Results answer, Tolerance tolerance)
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
