using System.CommandLine;
using Backprop.Verification;
using Backprop.Oracle;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop fixtures generate|check</c>: writes every declared fixture from libtorch, or
/// regenerates them in memory and reports drift from the committed files.
/// Thread-safe: it holds no state.
/// </summary>
public static class FixturesCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var outDir = new Option<string?>("--out")
        {
            Description = "folder to write to (default: the repository's fixtures/; outside the repository, required)",
        };
        var generate = new Command("generate", "Regenerate every fixture from libtorch.") { outDir };
        generate.SetAction(parse => Generate(parse.GetValue(outDir), output, error));

        var dir = new Option<string?>("--dir")
        {
            Description = "folder holding the fixtures (default: the repository's fixtures/, else the copy shipped with the program)",
        };
        var check = new Command("check", "Regenerate every fixture in memory and compare it with the committed file number by number: exit 0 when each is the same or within rounding (the file's tolerance), 1 when one drifted past it, 2 when a file cannot be read.") { dir };
        check.SetAction(parse => Check(parse.GetValue(dir), output, error));

        return new Command("fixtures", "Generate the committed fixtures, or check them for drift.") { generate, check };
    }

    private static int Generate(string? outDir, TextWriter output, TextWriter error)
    {
        // Never into the copy shipped with the program: outside the repository, say where.
        string? dir = outDir ?? Locations.RepositoryFixtures();
        if (dir is null)
        {
            error.WriteLine("--out: outside the repository (no Backprop.Verify.sln above the current folder), give the folder to write the fixtures to");
            return 2;
        }

        if (string.IsNullOrWhiteSpace(dir))
        {
            error.WriteLine($"--out: \"{dir}\" names no folder; give the folder to write the fixtures to");
            return 2;
        }

        // A folder where a fixture file must go would fail half-way through: refuse it first.
        string[] paths = FixtureCatalog.All.Select(d => Path.Combine(dir, d.FileName)).ToArray();
        if (paths.FirstOrDefault(Directory.Exists) is { } folder)
        {
            error.WriteLine($"--out: {folder} is a folder, where fixtures generate writes the file of that name; nothing was written");
            return 2;
        }

        string? temp = null;
        try
        {
            Directory.CreateDirectory(dir);
            for (int i = 0; i < paths.Length; i++)
            {
                temp = paths[i] + ".tmp";
                File.WriteAllText(temp, FixtureCatalog.Render(FixtureCatalog.All[i], TorchWitness.Instance));
                File.Move(temp, paths[i], overwrite: true);
                temp = null;
                output.WriteLine($"wrote {paths[i]}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"--out: cannot write fixtures to {dir}: {e.Message}");
            return 2;
        }
        finally
        {
            // A temporary file is never left behind, whatever stopped the writing.
            if (temp is not null)
            {
                try
                {
                    File.Delete(temp);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error.WriteLine($"--out: could not remove {temp}: {e.Message}");
                }
            }
        }

        return 0;
    }

    private static int Check(string? dirOption, TextWriter output, TextWriter error)
    {
        string? dir = dirOption ?? Locations.Fixtures();
        if (dir is null)
        {
            error.WriteLine("no --dir given, and neither the repository (Backprop.Verify.sln above the current folder) nor the program's own folder has fixtures/");
            return 2;
        }

        if (string.IsNullOrWhiteSpace(dir) || !Directory.Exists(dir))
        {
            error.WriteLine($"--dir: \"{dir}\" is not a folder");
            return 2;
        }

        output.WriteLine($"Every fixture regenerated in memory on this machine ({Machine.Cpu}) and compared with {dir}, number by number:");
        int unreadable = 0, missing = 0;
        var kinds = new List<DriftKind>();
        long maxUlps = 0;
        foreach ((FixtureDeclaration declaration, FixtureDriftReport? report, string? problem, bool absent) in FixtureCatalog.CheckDrift(dir, TorchWitness.Instance))
        {
            if (absent)
            {
                output.WriteLine($"{"missing",-9} {declaration.FileName}: declared, but not in the folder");
                missing++;
                continue;
            }

            if (report is null)
            {
                error.WriteLine(problem);
                unreadable++;
                continue;
            }

            kinds.Add(report.Kind);
            maxUlps = Math.Max(maxUlps, report.Kind == DriftKind.Rounding ? report.MaxUlps : 0);
            string label = report.Kind switch { DriftKind.Identical => "same", DriftKind.Rounding => "rounding", _ => "DRIFT" };
            output.WriteLine($"{label,-9} {declaration.FileName}: {report.Describe()}");
        }

        int drifted = kinds.Count(k => k == DriftKind.Drifted), rounding = kinds.Count(k => k == DriftKind.Rounding);
        output.WriteLine(
            $"{kinds.Count(k => k == DriftKind.Identical)} bit-identical, {rounding} within rounding" +
            (rounding > 0 ? $" (at most {maxUlps} ulps)" : "") + $", {drifted} drifted" +
            (missing > 0 ? $", {missing} missing" : "") + (unreadable > 0 ? $", {unreadable} unreadable." : "."));
        if (drifted + missing > 0)
        {
            output.WriteLine("A drifted file changed by more than libtorch's rounding on another CPU. If the change is meant (a new libtorch, a changed case), " +
                             "regenerate with `backprop fixtures generate` and say why in the commit.");
        }

        return unreadable > 0 ? 2 : drifted + missing > 0 ? 1 : 0;
    }
}
