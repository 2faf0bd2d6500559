using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Backprop.Core;
using Backprop.Verification;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop check FILE...</c>: runs the core on each fixture and compares every expected
/// quantity. Exit 0 when every file passes, 1 when any quantity mismatches, 2 when a file cannot
/// be read or breaks the backprop-fixture/1 contract (docs/fixture-format.md), or the options are wrong.
/// Thread-safe: it holds no state.
/// </summary>
public static class CheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("files")
        {
            Description = $"fixture files (backprop-fixture/1 JSON): regular files of at most {FixtureReader.MaxFileBytes} bytes of UTF-8, within the limits of docs/fixture-format.md (widths, elements, numbers per step, multiply-adds)",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "print the results as JSON, for machines" };
        var tolerance = new Option<string?>("--tolerance")
        {
            Description = "override every file's tolerance: rtol,atol (e.g. 1e-5,1e-6)",
        };
        var results = new Option<string?>("--results")
        {
            Description = $"check someone's results (backprop-results/1 JSON, a regular file of at most {FixtureReader.MaxFileBytes} bytes) against the one fixture given, instead of the core",
        };
        // A word that looks like an option is taken for a file only when such a file exists:
        // "check --bogus FILE" is a usage error, not a file named --bogus that cannot be read.
        files.Validators.Add(result =>
        {
            foreach (string value in result.Tokens.Select(t => t.Value))
            {
                if (value.Length > 1 && value[0] == '-' && !File.Exists(value))
                {
                    result.AddError($"unknown option {value}; check takes --json, --tolerance and --results (give a file whose name starts with '-' as ./{value})");
                }
            }
        });
        var command = new Command(
            "check",
            "Check the core against fixture files, or with --results someone's results against a fixture; exit 0 pass, 1 mismatch, 2 unreadable or invalid.")
        {
            files, json, tolerance, results,
        };
        command.SetAction(parse => parse.GetValue(results) is { } resultsPath
            ? RunResults(parse.GetValue(files) ?? [], resultsPath, parse.GetValue(json), parse.GetValue(tolerance), output, error)
            : Run(parse.GetValue(files) ?? [], parse.GetValue(json), parse.GetValue(tolerance), output, error));
        return command;
    }

    /// <summary><c>check FIXTURE --results FILE</c>: someone's results against one fixture, with a diagnosis.</summary>
    public static int RunResults(IReadOnlyList<string> files, string resultsPath, bool json, string? toleranceText, TextWriter output, TextWriter error)
    {
        if (files.Count != 1)
        {
            error.WriteLine($"--results: give exactly one fixture to check the results against, got {files.Count}");
            return FixtureCheck.Invalid;
        }

        if (!ReadTolerance(toleranceText, error, out Tolerance? tolerance))
        {
            return FixtureCheck.Invalid;
        }

        ResultsCheck check = ResultsCheck.Run(files[0], resultsPath, tolerance);
        if (json)
        {
            output.WriteLine(Json([(resultsPath, check.ExitCode, check.Header, check.Tolerance, check.Quantities, check.Error, check.Findings)]));
        }

        if (check.Error is not null)
        {
            // A refusal goes to stderr with --json too; the JSON on stdout carries it for machines.
            error.WriteLine(check.Error);
        }
        else if (!json)
        {
            ResultsReport.Print($"{resultsPath} against {files[0]}", check.Header!, check.Tolerance, check.Quantities, check.Findings, output);
        }

        return check.ExitCode;
    }

    public static int Run(IReadOnlyList<string> files, bool json, string? toleranceText, TextWriter output, TextWriter error)
    {
        if (!ReadTolerance(toleranceText, error, out Tolerance? tolerance))
        {
            return FixtureCheck.Invalid;
        }

        var checks = files.Select(f => (File: f, Check: FixtureChecker.CheckFile(f, tolerance))).ToArray();
        if (json)
        {
            output.WriteLine(Json(checks.Select(c => (c.File, c.Check.ExitCode, c.Check.Header, c.Check.Tolerance, c.Check.Quantities, c.Check.Error, (IReadOnlyList<Finding>)[]))));
            foreach ((string file, FixtureCheck check) in checks.Where(c => c.Check.Error is not null))
            {
                error.WriteLine($"{file}: {check.Error}");
            }
        }
        else
        {
            foreach ((string file, FixtureCheck check) in checks)
            {
                PrintTable(file, check, output, error);
            }
        }

        return checks.Max(c => c.Check.ExitCode);
    }

    /// <summary>--tolerance, when given; false (with the refusal written) when it is not rtol,atol.</summary>
    private static bool ReadTolerance(string? text, TextWriter error, out Tolerance? tolerance)
    {
        tolerance = null;
        if (text is null)
        {
            return true;
        }

        if (!TryParseTolerance(text, out Tolerance parsed))
        {
            error.WriteLine($"--tolerance: expected rtol,atol as two non-negative finite numbers (e.g. 1e-5,1e-6), got \"{text}\"");
            return false;
        }

        tolerance = parsed;
        return true;
    }

    public static bool TryParseTolerance(string text, out Tolerance tolerance)
    {
        tolerance = default;
        string[] parts = text.Split(',');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double rtol)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double atol)
            && double.IsFinite(rtol) && double.IsFinite(atol) && rtol >= 0 && atol >= 0)
        {
            tolerance = new Tolerance(rtol, atol);
            return true;
        }

        return false;
    }

    private static void PrintTable(string file, FixtureCheck check, TextWriter output, TextWriter error)
    {
        if (check.Error is not null)
        {
            error.WriteLine($"{file}: {check.Error}");
            return;
        }

        FixtureHeader f = check.Header!;
        DType dtype = f.DType;
        output.WriteLine($"{file}: {f.Name}, {dtype.ToName()}, {f.Case.Network.Widths}, {check.Tolerance}");
        output.WriteLine($"  {"step",4} {"layer",5}  {"quantity",-20} {"max abs",9} {"max rel",9}  {"worst",-8} {"mismatched",10}  result");
        foreach (QuantityComparison r in check.Quantities)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Step,4} {(r.Layer?.ToString(CultureInfo.InvariantCulture) ?? "-"),5}  {r.Name,-20} {r.MaxAbsError,9:0.00E+0} {r.MaxRelError,9:0.00E+0}  {r.WorstIndex,-8} {$"{r.Mismatched}/{r.Total}",10}  {(r.Passed ? "pass" : "FAIL")}"));
            if (!r.Passed)
            {
                output.WriteLine($"        {r.Describe(dtype)}");
            }
        }

        int failed = check.Quantities.Count(r => !r.Passed);
        output.WriteLine(failed == 0
            ? $"{file}: pass ({check.Quantities.Count} quantities)"
            : $"{file}: FAIL ({failed} of {check.Quantities.Count} quantities mismatched)");
    }

    /// <summary>One object per file; non-finite numbers as the strings the fixture format uses.</summary>
    private static string Json(
        IEnumerable<(string File, int Exit, FixtureHeader? Fixture, Tolerance Tolerance, IReadOnlyList<QuantityComparison> Quantities, string? Error, IReadOnlyList<Finding> Findings)> checks)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var check in checks)
            {
                w.WriteStartObject();
                w.WriteString("file", check.File);
                w.WriteNumber("exit", check.Exit);
                w.WriteString("result", check.Exit switch { 0 => "pass", 1 => "mismatch", _ => "invalid" });
                if (check.Error is not null)
                {
                    w.WriteString("error", check.Error);
                }

                if (check.Fixture is { } f)
                {
                    w.WriteString("name", f.Name);
                    w.WriteString("dtype", f.DType.ToName());
                    w.WriteStartObject("tolerance");
                    Number(w, "rtol", check.Tolerance.Rtol);
                    Number(w, "atol", check.Tolerance.Atol);
                    w.WriteEndObject();
                }

                QuantityComparison? first = check.Quantities.FirstOrDefault(q => !q.Passed);
                if (first is not null)
                {
                    w.WriteString("firstDisagreement", first.Quantity);
                }

                if (check.Findings.Count > 0)
                {
                    w.WriteStartArray("likelyCauses");
                    foreach (Finding finding in check.Findings)
                    {
                        w.WriteStartObject();
                        w.WriteString("cause", finding.Cause);
                        w.WriteString("evidence", finding.Evidence);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteStartArray("quantities");
                foreach (QuantityComparison r in check.Quantities)
                {
                    w.WriteStartObject();
                    if (r.Step is { } step) w.WriteNumber("step", step);
                    if (r.Layer is { } layer) w.WriteNumber("layer", layer); else w.WriteNull("layer");
                    w.WriteString("quantity", r.Name);
                    Number(w, "maxAbs", r.MaxAbsError);
                    Number(w, "maxRel", r.MaxRelError);
                    w.WriteString("worstIndex", r.WorstIndex);
                    Number(w, "expected", r.WorstExpected);
                    Number(w, "actual", r.WorstActual);
                    Number(w, "allowed", r.WorstAllowed);
                    w.WriteNumber("mismatched", r.Mismatched);
                    w.WriteNumber("total", r.Total);
                    w.WriteBoolean("pass", r.Passed);
                    if (r.NotProvided) w.WriteBoolean("notProvided", true);
                    if (r.ShapeError is not null) w.WriteString("shapeError", r.ShapeError);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
