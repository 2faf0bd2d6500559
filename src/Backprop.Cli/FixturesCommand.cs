using System.CommandLine;
using Backprop.Oracle;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop fixtures generate|check</c>: writes every declared fixture from libtorch, or
/// regenerates them in memory and reports drift from the committed files.
/// </summary>
public static class FixturesCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var outDir = new Option<string?>("--out")
        {
            Description = "folder to write to (default: the repository's fixtures/)",
        };
        var generate = new Command("generate", "Regenerate every fixture from libtorch.") { outDir };
        generate.SetAction(parse => Generate(parse.GetValue(outDir), output, error));

        var dir = new Option<string?>("--dir")
        {
            Description = "folder holding the fixtures (default: the repository's fixtures/)",
        };
        var check = new Command("check", "Regenerate every fixture in memory; exit 1 if any committed file differs.") { dir };
        check.SetAction(parse => Check(parse.GetValue(dir), output, error));

        return new Command("fixtures", "Generate the committed fixtures, or check them for drift.") { generate, check };
    }

    private static int Generate(string? outDir, TextWriter output, TextWriter error)
    {
        string? dir = outDir ?? FixtureCatalog.FindRepositoryFixtures();
        if (dir is null)
        {
            error.WriteLine("no --out given and no Backprop.Verify.sln above the current folder to find fixtures/ by");
            return 2;
        }

        try
        {
            Directory.CreateDirectory(dir);
            foreach (FixtureDeclaration declaration in FixtureCatalog.All)
            {
                string path = Path.Combine(dir, declaration.FileName);
                string temp = path + ".tmp";
                File.WriteAllText(temp, FixtureCatalog.Render(declaration));
                File.Move(temp, path, overwrite: true);
                output.WriteLine($"wrote {path}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"cannot write fixtures to {dir}: {e.Message}");
            return 2;
        }

        return 0;
    }

    private static int Check(string? dirOption, TextWriter output, TextWriter error)
    {
        string? dir = dirOption ?? FixtureCatalog.FindRepositoryFixtures();
        if (dir is null)
        {
            error.WriteLine("no --dir given and no Backprop.Verify.sln above the current folder to find fixtures/ by");
            return 2;
        }

        int drifted = 0;
        foreach ((FixtureDeclaration declaration, string? drift) in FixtureCatalog.CheckDrift(dir))
        {
            output.WriteLine(drift is null ? $"same  {declaration.FileName}" : $"DRIFT {drift}");
            drifted += drift is null ? 0 : 1;
        }

        return drifted == 0 ? 0 : 1;
    }
}
