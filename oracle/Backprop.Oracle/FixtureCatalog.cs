using Backprop.Core;
using Backprop.Core.Examples;
using Backprop.Core.Fixtures;

namespace Backprop.Oracle;

/// <summary>A committed fixture, declared once: its file name, what it covers, and the case to run.</summary>
public sealed record FixtureDeclaration(string Name, DType DType, TrainingCase Case, string Description, string Source)
{
    public string FileName => $"{Name}.json";
}

/// <summary>
/// Every fixture under fixtures/, declared once, in code. <see cref="Generate"/> runs a declaration
/// through libtorch and fills in every expectation; <see cref="Render"/> gives the exact file text.
/// </summary>
public static class FixtureCatalog
{
    public static IReadOnlyList<FixtureDeclaration> All { get; } =
    [
        new("worked-example", DType.Float32, WorkedExample.Case,
            "The worked example as the article ran it, in float32: every forward value, the cost, every " +
            "dJ/dA, dJ/dZ, weight and bias gradient, and the weights after one SGD step. Layer 2's z[0][0] is exactly 0 (ReLU'(0) = 0).",
            WorkedExample.Source),
        new("worked-example-f64", DType.Float64, WorkedExample.Case,
            "The worked example in float64, from the same decimal weights and data.",
            WorkedExample.Source),
    ];

    public static Fixture Generate(FixtureDeclaration declaration)
    {
        IReadOnlyList<StepRecord<double>> steps = TorchOracle.Run(declaration.Case, declaration.DType);
        return new Fixture(
            declaration.Name, declaration.DType, declaration.Case,
            steps.Select(StepExpectation.From).ToArray(),
            Description: declaration.Description,
            Source: declaration.Source,
            Generator: $"backprop fixtures generate (Backprop.Oracle: {TorchOracle.Versions})",
            Layout: Layout.Default);
    }

    public static string Render(FixtureDeclaration declaration) => FixtureWriter.Write(Generate(declaration));

    /// <summary>
    /// Regenerates every declared fixture in memory and compares it with the file in
    /// <paramref name="directory"/>: null for an identical file, else what differs.
    /// </summary>
    public static IReadOnlyList<(FixtureDeclaration Declaration, string? Drift)> CheckDrift(string directory)
        => All.Select(d => (d, Drift(d, Path.Combine(directory, d.FileName)))).ToArray();

    private static string? Drift(FixtureDeclaration declaration, string path)
    {
        if (!File.Exists(path))
        {
            return $"{path} is missing";
        }

        string[] committed = File.ReadAllText(path).Split('\n');
        string[] regenerated = Render(declaration).Split('\n');
        for (int i = 0; i < Math.Max(committed.Length, regenerated.Length); i++)
        {
            string? c = i < committed.Length ? committed[i] : null, r = i < regenerated.Length ? regenerated[i] : null;
            if (c != r)
            {
                return $"{path}:{i + 1} differs from what libtorch gives now\n  committed:   {c ?? "(end of file)"}\n  regenerated: {r ?? "(end of file)"}";
            }
        }

        return null;
    }

    /// <summary>The repository's fixtures/ folder: found by walking up from here to Backprop.Verify.sln.</summary>
    public static string? FindRepositoryFixtures()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Backprop.Verify.sln")))
                {
                    return Path.Combine(dir.FullName, "fixtures");
                }
            }
        }

        return null;
    }
}
