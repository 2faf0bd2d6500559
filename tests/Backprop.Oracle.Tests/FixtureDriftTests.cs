using Backprop.Testing;

namespace Backprop.Oracle.Tests;

[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class FixtureDriftTests
{
    [Fact]
    public void Committed_Fixtures_Are_What_Libtorch_Gives_Now_Byte_For_Byte()
    {
        string dir = Path.Combine(Agreement.RepositoryRoot(), "fixtures");
        var drifted = FixtureCatalog.CheckDrift(dir).Where(d => d.Drift is not null).Select(d => d.Drift!).ToArray();
        drifted.ShouldBeEmpty("regenerate with `dotnet run --project src/Backprop.Cli -- fixtures generate` if libtorch changed on purpose");
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
