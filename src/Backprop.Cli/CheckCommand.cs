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
/// </summary>
public static class CheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("files")
        {
            Description = "fixture files (backprop-fixture/1 JSON)",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "print the results as JSON, for machines" };
        var tolerance = new Option<string?>("--tolerance")
        {
            Description = "override every file's tolerance: rtol,atol (e.g. 1e-5,1e-6)",
        };
        var command = new Command("check", "Check the core against fixture files; exit 0 pass, 1 mismatch, 2 unreadable or invalid.")
        {
            files, json, tolerance,
        };
        command.SetAction(parse => Run(parse.GetValue(files) ?? [], parse.GetValue(json), parse.GetValue(tolerance), output, error));
        return command;
    }

    public static int Run(IReadOnlyList<string> files, bool json, string? toleranceText, TextWriter output, TextWriter error)
    {
        Tolerance? tolerance = null;
        if (toleranceText is not null)
        {
            if (!TryParseTolerance(toleranceText, out Tolerance parsed))
            {
                error.WriteLine($"--tolerance: expected rtol,atol as two non-negative finite numbers (e.g. 1e-5,1e-6), got \"{toleranceText}\"");
                return FixtureCheck.Invalid;
            }

            tolerance = parsed;
        }

        var checks = files.Select(f => (File: f, Check: FixtureChecker.CheckFile(f, tolerance))).ToArray();
        if (json)
        {
            output.WriteLine(Json(checks));
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

        Fixture f = check.Fixture!;
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
    private static string Json(IEnumerable<(string File, FixtureCheck Check)> checks)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach ((string file, FixtureCheck check) in checks)
            {
                w.WriteStartObject();
                w.WriteString("file", file);
                w.WriteNumber("exit", check.ExitCode);
                w.WriteString("result", check.ExitCode switch { 0 => "pass", 1 => "mismatch", _ => "invalid" });
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
