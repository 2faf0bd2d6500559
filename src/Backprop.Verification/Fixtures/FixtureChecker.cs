using Backprop.Verification;

namespace Backprop.Verification;

/// <summary>The outcome of checking one fixture: the exit code the contract gives it, and what was found.</summary>
public sealed record FixtureCheck(
    int ExitCode,
    Fixture? Fixture,
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
/// What <c>backprop check</c> does for one fixture, without printing: read it (bounded), run the
/// core in the fixture's dtype, and compare every expected quantity. Never throws for bad input:
/// anything wrong with the file ends as <see cref="FixtureCheck.Invalid"/> with a message.
/// </summary>
public static class FixtureChecker
{
    public static FixtureCheck CheckFile(string path, Tolerance? tolerance = null)
        => ReadThenCheck(() => FixtureReader.ReadFile(path), tolerance);

    public static FixtureCheck CheckText(string json, Tolerance? tolerance = null)
        => ReadThenCheck(() => FixtureReader.Parse(json), tolerance);

    public static FixtureCheck Check(Fixture fixture, Tolerance? tolerance = null)
    {
        Tolerance used = tolerance ?? fixture.EffectiveTolerance;
        IReadOnlyList<StepRecord<double>> actual;
        try
        {
            actual = Trainer.Run(fixture.Case, fixture.DType);
        }
        catch (ArgumentException e)
        {
            // What PyTorch refuses (a BCE input outside [0, 1], say) cannot have expectations.
            return new FixtureCheck(FixtureCheck.Invalid, fixture, used, [], $"the core refuses this case: {e.Message}");
        }

        IReadOnlyList<QuantityComparison> results = StepComparison.Compare(fixture.Expected, actual, used);
        return new FixtureCheck(results.All(r => r.Passed) ? FixtureCheck.Passed : FixtureCheck.Mismatch, fixture, used, results, null);
    }

    private static FixtureCheck ReadThenCheck(Func<Fixture> read, Tolerance? tolerance)
    {
        Fixture fixture;
        try
        {
            fixture = read();
        }
        catch (FixtureFormatException e)
        {
            return Invalid(e.Message, tolerance);
        }

        return Check(fixture, tolerance);
    }

    private static FixtureCheck Invalid(string error, Tolerance? tolerance)
        => new(FixtureCheck.Invalid, null, tolerance ?? default, [], error);
}

/// <summary>The outcome of checking someone's results against a fixture: the exit code, the comparisons in dependency order, and the likely causes.</summary>
public sealed record ResultsCheck(
    int ExitCode,
    Fixture? Fixture,
    Tolerance Tolerance,
    IReadOnlyList<QuantityComparison> Quantities,
    IReadOnlyList<Finding> Findings,
    string? Error)
{
    /// <summary>What <c>backprop check FIXTURE --results FILE</c> does, without printing. Never throws for bad input.</summary>
    public static ResultsCheck Run(string fixturePath, string resultsPath, Tolerance? tolerance = null)
    {
        Fixture fixture;
        try
        {
            fixture = FixtureReader.ReadFile(fixturePath);
        }
        catch (FixtureFormatException e)
        {
            return new(FixtureCheck.Invalid, null, tolerance ?? default, [], [], $"{fixturePath}: {e.Message}");
        }

        Results results;
        try
        {
            results = ResultsReader.ReadFile(resultsPath, fixture);
        }
        catch (FixtureFormatException e)
        {
            return new(FixtureCheck.Invalid, fixture, tolerance ?? fixture.EffectiveTolerance, [], [], $"{resultsPath}: {e.Message}");
        }

        return Compare(fixture, results, tolerance);
    }

    /// <summary>Compares results already read with the fixture they answer.</summary>
    public static ResultsCheck Compare(Fixture fixture, Results results, Tolerance? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Tolerance used = tolerance ?? fixture.EffectiveTolerance;
        IReadOnlyList<QuantityComparison> quantities = StepComparison.Compare(fixture.Expected, results, used);
        bool passed = quantities.All(q => q.Passed);
        return new(
            passed ? FixtureCheck.Passed : FixtureCheck.Mismatch, fixture, used, quantities,
            passed ? [] : Diagnosis.Diagnose(fixture with { Tolerance = used }, results, quantities), null);
    }
}
