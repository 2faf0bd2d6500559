using Backprop.Verification;
using Backprop.Testing;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>The committed fixtures, read by the reader and checked against the core (what `backprop check` does).</summary>
public class FixtureFilesTests
{
    public static IReadOnlyList<string> FileNames { get; } = Directory.GetFiles(Path.Combine(Agreement.RepositoryRoot(), "fixtures"), "*.json")
        .Select(f => Path.GetFileName(f)!)
        .Order()
        .ToArray();

    public static TheoryData<string> Files => new(FileNames);

    [Fact]
    public void Both_Worked_Example_Fixtures_Are_Committed()
    {
        string[] files = Directory.GetFiles(Path.Combine(Agreement.RepositoryRoot(), "fixtures"), "*.json").Select(f => Path.GetFileName(f)!).ToArray();
        files.ShouldContain("worked-example.json");
        files.ShouldContain("worked-example-f64.json");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Core_Reproduces_Every_Quantity_Of_The_Fixture(string file)
    {
        Fixture fixture = FixtureReader.ReadFile(Agreement.FixturePath(file));
        StepComparison.Compare(fixture.Expected, Trainer.Run(fixture.Case, fixture.DType), fixture.EffectiveTolerance)
            .ShouldAllPass();
    }

    [Fact]
    public void Every_Saved_Regression_Passes_Check()
    {
        // Empty today; any file saved here from a property-suite failure is replayed from then on.
        string dir = Path.Combine(Agreement.RepositoryRoot(), "fixtures", "regressions");
        Directory.Exists(dir).ShouldBeTrue();
        foreach (string file in Directory.GetFiles(dir, "*.json"))
        {
            FixtureCheck check = FixtureChecker.CheckFile(file);
            check.ExitCode.ShouldBe(FixtureCheck.Passed, $"{file}: {check.Error ?? string.Join("; ", check.Quantities.Where(q => !q.Passed).Select(q => q.Describe()))}");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Writing_What_Was_Read_Gives_The_Same_Bytes(string file)
    {
        string text = File.ReadAllText(Agreement.FixturePath(file));
        FixtureWriter.Write(FixtureReader.Parse(text)).ShouldBe(text);
    }

    public static TheoryData<string, string> FilesAndLayouts()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in FixtureFilesTests.FileNames)
        {
            foreach (Layout layout in Layout.All)
            {
                data.Add(file, layout.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FilesAndLayouts))]
    public void Every_Fixture_Passes_In_Every_Layout_Written_And_Read_Back(string file, string layoutName)
    {
        Layout layout = Layout.All.Single(l => l.ToString() == layoutName);
        Fixture turned = FixtureReader.ReadFile(Agreement.FixturePath(file)).InLayout(layout);
        Fixture read = FixtureReader.Parse(FixtureWriter.Write(turned));

        read.Case.Layout.ShouldBe(layout);
        StepComparison.Compare(read.Expected, Trainer.Run(read.Case, read.DType), read.EffectiveTolerance).ShouldAllPass();
    }

    [Fact]
    public void In_Out_Weights_Are_Written_Transposed()
    {
        Fixture turned = FixtureReader.ReadFile(Agreement.FixturePath("worked-example.json")).InLayout(Layout.ColumnsInOut);
        string text = FixtureWriter.Write(turned);
        text.ShouldContain("\"weight\": [[-1, 3, -0.1], [2, 0.5, -4]]");
        text.ShouldContain("\"x\": [[1, 3], [2, 4]]");
        text.ShouldContain("\"layout\": { \"samples\": \"columns\", \"weights\": \"in-out\" }");
    }
}
