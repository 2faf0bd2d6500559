using Backprop.Verification;
using Backprop.Testing;

namespace Backprop.Oracle.Tests;

[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class FixtureDriftTests
{
    [Fact]
    public void Committed_Fixtures_Are_What_Libtorch_Gives_Now_Within_Rounding()
    {
        // Bit-identical on the machine that generated them (AMD EPYC, Zen 5); elsewhere libtorch's last
        // bits may differ (tests/data/cross-cpu), within each file's tolerance.
        string dir = Path.Combine(Agreement.RepositoryRoot(), "fixtures");
        var results = FixtureCatalog.CheckDrift(dir, TorchWitness.Instance);
        results.ShouldAllBe(r => r.Report != null, string.Join("; ", results.Select(r => r.Missing ? $"{r.Declaration.FileName} is missing" : r.Error)));
        string[] drifted = results.Where(r => r.Report!.Kind == DriftKind.Drifted).Select(r => $"{r.Declaration.FileName}: {r.Report!.Describe()}").ToArray();
        drifted.ShouldBeEmpty("regenerate with `dotnet run --project src/Backprop.Cli -- fixtures generate` only if libtorch or a case changed on purpose");
    }

    [Fact]
    public void Generating_Twice_Gives_The_Same_Bytes()
    {
        // libtorch is deterministic on one machine: same inputs, same code path, same bits.
        foreach (FixtureDeclaration d in FixtureCatalog.All)
        {
            FixtureCatalog.Render(d, TorchWitness.Instance).ShouldBe(FixtureCatalog.Render(d, TorchWitness.Instance), d.FileName);
        }
    }

    [Fact]
    public void Every_Committed_Fixture_Is_Declared_And_Listed_In_The_Fixtures_Readme()
    {
        string dir = Path.Combine(Agreement.RepositoryRoot(), "fixtures");
        Directory.GetFiles(dir, "*.json").Select(f => Path.GetFileName(f)!)
            .ShouldBe(FixtureCatalog.All.Select(d => d.FileName), ignoreOrder: true);
        string readme = File.ReadAllText(Path.Combine(dir, "README.md"));
        FixtureCatalog.All.ShouldAllBe(d => readme.Contains($"`{d.FileName}`"));
    }

    [Fact]
    public void Every_Declared_Fixture_Has_A_Unique_Contract_Name()
    {
        FixtureCatalog.All.Select(d => d.Name).ShouldBeUnique();
        FixtureCatalog.All.ShouldAllBe(d => System.Text.RegularExpressions.Regex.IsMatch(d.Name, "^[a-z0-9-]+$"));
    }
}
