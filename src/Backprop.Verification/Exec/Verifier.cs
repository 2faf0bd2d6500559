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
/// How a run ended: how many cases were compared, how many were skipped because the witness's own
/// run overflowed or diverged (there, last bits decide ±∞ against NaN, and nothing can be
/// compared fairly), and the first failure, shrunk, if any.
/// Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).
/// </summary>
public sealed record VerifyOutcome(int Compared, int Skipped, VerifyFailure? Failure);

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
        int compared = 0, skipped = 0;

        // The witness prepares the next case on another thread while the implementation answers.
        Task<(RandomNetwork Network, Fixture? Fixture)> Prepare(int i) => Task.Run(() =>
        {
            int seed = unchecked(options.Seed + i);
            RandomNetwork network = RandomNetworks.Build(seed, options.DType, options.Draw);
            return (network, Expected(network, witness, Name(seed, 0)));
        });

        Task<(RandomNetwork Network, Fixture? Fixture)>? next = options.Networks > 0 ? Prepare(0) : null;
        int drawn = 0, done = 0;

        // A process is asked one case ahead, so it computes the next while this one is compared.
        var inFlight = new Queue<(RandomNetwork Network, Fixture Fixture)>();
        int ahead = implementation is IPipelinedImplementation ? 2 : 1;
        void Ask()
        {
            while (inFlight.Count < ahead && drawn < options.Networks)
            {
                (RandomNetwork network, Fixture? fixture) = next!.GetAwaiter().GetResult();
                next = ++drawn < options.Networks ? Prepare(drawn) : null;
                if (fixture is null)
                {
                    skipped++;
                    progress?.Invoke(++done);
                    continue;
                }

                (implementation as IPipelinedImplementation)?.Send(fixture);
                inFlight.Enqueue((network, fixture));
            }
        }

        Ask();
        while (inFlight.TryDequeue(out var current))
        {
            Results answer = implementation is IPipelinedImplementation pipe ? pipe.Receive(current.Fixture) : implementation.Run(current.Fixture);
            compared++;
            Ask();
            ResultsCheck check = ResultsCheck.Compare(current.Fixture, answer, options.Tolerance);
            if (check.ExitCode != FixtureCheck.Passed)
            {
                // The cases asked ahead are answered and set aside, and no witness run is left behind.
                while (inFlight.TryDequeue(out var pending))
                {
                    (implementation as IPipelinedImplementation)?.Receive(pending.Fixture);
                }

                next?.Wait();
                return new VerifyOutcome(compared, skipped, Shrink(implementation, witness, current.Network, (current.Fixture, answer, check), options));
            }

            progress?.Invoke(++done);
        }

        return new VerifyOutcome(compared, skipped, null);
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

    /// <summary>The case with the witness's expectations; null when the witness's own run cannot be compared (overflow, divergence).</summary>
    private static Fixture? Expected(RandomNetwork network, IWitness witness, string name)
    {
        IReadOnlyList<StepRecord<double>> expected = witness.Run(network.Case, network.DType);
        return network.Overflowed(expected) || network.Diverged(expected)
            ? null
            : FixtureOf(network, expected, witness, name, "a random case drawn by backprop verify --exec");
    }

    /// <summary>The implementation's answer and its comparison; null when the witness's own run cannot be compared.</summary>
    private static (Fixture Fixture, Results Answer, ResultsCheck Check)? Ask(
        IImplementation implementation, IWitness witness, RandomNetwork network, string name, VerifyOptions options)
    {
        if (Expected(network, witness, name) is not { } fixture)
        {
            return null;
        }

        Results answer = implementation.Run(fixture);
        return (fixture, answer, ResultsCheck.Compare(fixture, answer, options.Tolerance));
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

                (Fixture Fixture, Results Answer, ResultsCheck Check)? asked;
                try
                {
                    asked = Ask(implementation, witness, candidate, Name(original.Seed, steps + 1), options);
                }
                catch (ArgumentException)
                {
                    continue; // a smaller case the core or the witness refuses is not a smaller failing case
                }

                if (asked is { Check.ExitCode: FixtureCheck.Mismatch } found)
                {
                    (smallest, failing, smaller) = (candidate, found, true);
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
