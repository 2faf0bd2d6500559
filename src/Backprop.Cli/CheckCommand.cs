using System.CommandLine;
using System.Globalization;
using Backprop.Core;
using Backprop.Core.Checking;
using Backprop.Core.Fixtures;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop check FILE...</c>: runs the core on each fixture and compares every expected
/// quantity. Exit 0 when every file passes, 1 when any quantity mismatches, 2 when a file cannot
/// be read or breaks the backprop-fixture/1 contract (fixture-format.md).
/// </summary>
public static class CheckCommand
{
    public const int Passed = 0;
    public const int Mismatch = 1;
    public const int Invalid = 2;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("files")
        {
            Description = "fixture files (backprop-fixture/1 JSON)",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("check", "Check the core against fixture files; exit 0 pass, 1 mismatch, 2 unreadable or invalid.")
        {
            files,
        };
        command.SetAction(parse => Run(parse.GetValue(files) ?? [], output, error));
        return command;
    }

    public static int Run(IReadOnlyList<string> files, TextWriter output, TextWriter error)
    {
        int exit = Passed;
        foreach (string file in files)
        {
            exit = Math.Max(exit, CheckFile(file, output, error));
        }

        return exit;
    }

    private static int CheckFile(string file, TextWriter output, TextWriter error)
    {
        Fixture fixture;
        IReadOnlyList<StepRecord<double>> actual;
        try
        {
            fixture = FixtureReader.ReadFile(file);
        }
        catch (FixtureFormatException e)
        {
            error.WriteLine($"{file}: {e.Message}");
            return Invalid;
        }

        try
        {
            actual = Trainer.Run(fixture.Case, fixture.DType);
        }
        catch (ArgumentException e)
        {
            // What PyTorch refuses (a BCE input outside [0, 1], say) cannot have expectations.
            error.WriteLine($"{file}: the core refuses this case: {e.Message}");
            return Invalid;
        }

        Tolerance tolerance = fixture.EffectiveTolerance;
        IReadOnlyList<QuantityComparison> results = StepComparison.Compare(fixture.Expected, actual, tolerance);
        output.WriteLine($"{file}: {fixture.Name}, {fixture.DType.ToName()}, {fixture.Case.Network.Widths}, {tolerance}");
        foreach (QuantityComparison r in results)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {(r.Passed ? "pass" : "FAIL")}  {r.Quantity,-36} max abs {r.MaxAbsError,9:0.00E+0}  max rel {r.MaxRelError,9:0.00E+0}  worst {r.WorstIndex,-8} {r.Mismatched}/{r.Total} mismatched"));
            if (!r.Passed)
            {
                output.WriteLine($"        {r.Describe(fixture.DType)}");
            }
        }

        int failed = results.Count(r => !r.Passed);
        output.WriteLine(failed == 0
            ? $"{file}: pass ({results.Count} quantities)"
            : $"{file}: FAIL ({failed} of {results.Count} quantities mismatched)");
        return failed == 0 ? Passed : Mismatch;
    }
}
