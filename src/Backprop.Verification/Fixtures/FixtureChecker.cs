using System.Numerics;

namespace Backprop.Verification;

/// <summary>
/// The outcome of checking one fixture: the exit code the contract gives it, the fixture's case
/// (null when it could not be read), and what was found. Thread-safe: immutable.
/// </summary>
public sealed record FixtureCheck(
    int ExitCode,
    FixtureHeader? Header,
    Tolerance Tolerance,
    IReadOnlyList<QuantityComparison> Quantities,
    string? Error)
{
    /// <summary>Every quantity agrees.</summary>
    public const int Passed = 0;

    /// <summary>Some quantity mismatches.</summary>
    public const int Mismatch = 1;

    /// <summary>The file cannot be read, breaks the contract, or describes a case the core refuses.</summary>
    public const int Invalid = 2;
}

/// <summary>
/// What <c>backprop check</c> does for one fixture, without printing: read its case (bounded:
/// <see cref="FixtureReader"/>), then run the core in the fixture's dtype one step at a time,
/// reading each step's expectations only when that step has run and comparing them at once, so
/// that memory follows the largest step, not the number of steps. Never throws for bad input:
/// anything wrong with the file, and anything the core refuses, ends as
/// <see cref="FixtureCheck.Invalid"/> with a message that starts with the JSON path it concerns.
/// Thread-safe: it holds no state.
/// </summary>
public static class FixtureChecker
{
    public static FixtureCheck CheckFile(string path, Tolerance? tolerance = null)
        => Stream(() => FixtureReader.Open(path), tolerance);

    public static FixtureCheck CheckText(string json, Tolerance? tolerance = null)
        => Stream(() => FixtureReader.OpenText(json), tolerance);

    /// <summary>Checks a fixture given as UTF-8 bytes, as a file holds them.</summary>
    public static FixtureCheck CheckUtf8(ReadOnlyMemory<byte> utf8, Tolerance? tolerance = null)
        => Stream(() => FixtureReader.OpenUtf8(utf8), tolerance);

    /// <summary>
    /// Checks a fixture already in memory. A fixture whose expectations do not number its steps
    /// is a programming error (<see cref="ArgumentException"/>); anything the core refuses ends as
    /// <see cref="FixtureCheck.Invalid"/>.
    /// </summary>
    public static FixtureCheck Check(Fixture fixture, Tolerance? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        if (fixture.Expected.Count != fixture.Case.Steps)
        {
            throw new ArgumentException($"{fixture.Expected.Count} steps are expected but the case takes {fixture.Case.Steps}", nameof(fixture));
        }

        return Run(fixture.Header, fixture.Expected, tolerance);
    }

    private static FixtureCheck Stream(Func<FixtureReader.FixtureSteps> open, Tolerance? tolerance)
    {
        FixtureReader.FixtureSteps steps;
        try
        {
            steps = open();
        }
        catch (FixtureFormatException e)
        {
            return new(FixtureCheck.Invalid, null, tolerance ?? default, [], e.Message);
        }

        return Run(steps.Header, steps.Read(), tolerance);
    }

    private static FixtureCheck Run(FixtureHeader header, IEnumerable<StepExpectation> expected, Tolerance? tolerance)
    {
        Tolerance used = tolerance ?? header.EffectiveTolerance;
        try
        {
            IReadOnlyList<QuantityComparison> results = header.DType == DType.Float32
                ? Compare<float>(header.Case, expected, used)
                : Compare<double>(header.Case, expected, used);
            return new(results.All(r => r.Passed) ? FixtureCheck.Passed : FixtureCheck.Mismatch, header, used, results, null);
        }
        catch (FixtureFormatException e)
        {
            return new(FixtureCheck.Invalid, header, used, [], e.Message);
        }
    }

    /// <summary>
    /// Runs the core one step at a time, comparing each step with its expectations as soon as
    /// both exist; only the comparisons are kept. What the core refuses (a case PyTorch refuses
    /// too, such as a BCE input outside [0, 1], cannot have expectations) is a refusal naming the
    /// batch or step that caused it.
    /// </summary>
    private static List<QuantityComparison> Compare<T>(TrainingCase trainingCase, IEnumerable<StepExpectation> expected, Tolerance tolerance)
        where T : IFloatingPointIeee754<T>
    {
        TrainingSession<T> session;
        try
        {
            session = new TrainingSession<T>(trainingCase);
        }
        catch (ArgumentException e)
        {
            throw new FixtureFormatException("", $"the core refuses this case: {e.Message}");
        }

        Batch<T>[] batches = trainingCase.Batches.Select(b => b.Convert<T>()).ToArray();
        for (int b = 0; b < batches.Length; b++)
        {
            try
            {
                session.Network.CheckBatch(batches[b]);
            }
            catch (ArgumentException e)
            {
                // The reader has checked every shape, so what is left is the targets' values.
                throw new FixtureFormatException($"batches[{b}].y", $"the core refuses this batch: {e.Message}");
            }
        }

        var results = new List<QuantityComparison>();
        int k = 0;
        foreach (StepExpectation step in expected)
        {
            if (k == trainingCase.Steps)
            {
                throw new ArgumentException($"more expectations than the case's {trainingCase.Steps} steps");
            }

            StepRecord<T> record;
            try
            {
                record = session.Step(batches[k % batches.Length]);
            }
            catch (ArgumentException e)
            {
                throw new FixtureFormatException($"expected[{k}]", $"the core refuses step {k + 1} (on batches[{k % batches.Length}]): {e.Message}");
            }

            results.AddRange(StepComparison.Compare(k + 1, step, record.ToDouble(), tolerance));
            k++;
        }

        return results;
    }
}

/// <summary>
/// The outcome of checking someone's results against a fixture: the exit code, the fixture's
/// case (null when it could not be read), the comparisons in dependency order, and the likely
/// causes. Thread-safe: immutable.
/// </summary>
public sealed record ResultsCheck(
    int ExitCode,
    FixtureHeader? Header,
    Tolerance Tolerance,
    IReadOnlyList<QuantityComparison> Quantities,
    IReadOnlyList<Finding> Findings,
    string? Error)
{
    /// <summary>
    /// What <c>backprop check FIXTURE --results FILE</c> does, without printing. Never throws for
    /// bad input. Both files are read one step at a time, side by side, and each step compared
    /// as soon as both are read; only the comparisons, and the steps the diagnosis of the first
    /// disagreement needs, are kept.
    /// </summary>
    public static ResultsCheck Run(string fixturePath, string resultsPath, Tolerance? tolerance = null)
    {
        FixtureReader.FixtureSteps fixture;
        try
        {
            fixture = FixtureReader.Open(fixturePath);
        }
        catch (FixtureFormatException e)
        {
            return new(FixtureCheck.Invalid, null, tolerance ?? default, [], [], $"{fixturePath}: {e.Message}");
        }

        FixtureHeader header = fixture.Header;
        Tolerance used = tolerance ?? header.EffectiveTolerance;
        ResultsReader.ResultsSteps results;
        try
        {
            results = ResultsReader.Open(resultsPath, header);
        }
        catch (FixtureFormatException e)
        {
            return new(FixtureCheck.Invalid, header, used, [], [], $"{resultsPath}: {e.Message}");
        }

        using IEnumerator<StepExpectation> expected = fixture.Read().GetEnumerator();
        using IEnumerator<StepExpectation> reported = results.Read().GetEnumerator();
        var quantities = new List<QuantityComparison>();
        int steps = header.Case.Steps;
        StepExpectation? previous = null;
        (int Step, StepExpectation? Before, StepExpectation Expected, StepExpectation Actual)? firstFailure = null;
        for (int k = 0; k < Math.Max(steps, results.Count); k++)
        {
            // Every step of both files is read, so that a break anywhere in either is refused.
            StepExpectation? e = null, a = null;
            if (k < steps && !Next(expected, fixturePath, out e, out string? fixtureError))
            {
                return new(FixtureCheck.Invalid, header, used, [], [], fixtureError);
            }

            if (k < results.Count && !Next(reported, resultsPath, out a, out string? resultsError))
            {
                return new(FixtureCheck.Invalid, header, used, [], [], resultsError);
            }

            if (StepComparison.Step(k, steps, results.Count) is { } structure)
            {
                // One failure for all extra steps: a file of a million extra steps is one line.
                if (k <= steps)
                {
                    quantities.Add(structure);
                }
            }
            else
            {
                IReadOnlyList<QuantityComparison> step = StepComparison.Compare(k + 1, e!, a!, used);
                quantities.AddRange(step);
                if (firstFailure is null && step.Any(q => !q.Passed))
                {
                    firstFailure = (k, previous, e!, a!);
                }
            }

            previous = e ?? previous;
        }

        if (quantities.All(q => q.Passed))
        {
            return new(FixtureCheck.Passed, header, used, quantities, [], null);
        }

        StepExpectation Kept(int k, bool expectedSide) => firstFailure is { } f && k == f.Step
            ? expectedSide ? f.Expected : f.Actual
            : firstFailure is { Before: { } before } g && expectedSide && k == g.Step - 1
                ? before
                : throw new InvalidOperationException($"the diagnosis asked for step {k + 1}, which was not kept");
        IReadOnlyList<Finding> findings = Diagnosis.Diagnose(header with { Tolerance = used }, k => Kept(k, true), k => Kept(k, false), quantities);
        return new(FixtureCheck.Mismatch, header, used, quantities, findings, null);
    }

    private static bool Next(IEnumerator<StepExpectation> steps, string path, out StepExpectation? step, out string? error)
    {
        (step, error) = (null, null);
        try
        {
            if (steps.MoveNext())
            {
                step = steps.Current;
                return true;
            }

            error = $"{path}: fewer steps than counted";
            return false;
        }
        catch (FixtureFormatException e)
        {
            error = $"{path}: {e.Message}";
            return false;
        }
    }

    /// <summary>Compares results already read with the fixture they answer.</summary>
    public static ResultsCheck Compare(Fixture fixture, Results results, Tolerance? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(results);
        Tolerance used = tolerance ?? fixture.EffectiveTolerance;
        IReadOnlyList<QuantityComparison> quantities = StepComparison.Compare(fixture.Expected, results, used);
        bool passed = quantities.All(q => q.Passed);
        return new(
            passed ? FixtureCheck.Passed : FixtureCheck.Mismatch, fixture.Header, used, quantities,
            passed ? [] : Diagnosis.Diagnose(fixture with { Tolerance = used }, results, quantities), null);
    }
}
