using Backprop.Core.Checking;
using Backprop.Core.Fixtures;
using Backprop.Testing;

namespace Backprop.Core.Tests.Fixtures;

/// <summary>The committed fixtures, read by the reader and checked against the core (what `backprop check` does).</summary>
public class FixtureFilesTests
{
    public static TheoryData<string> Files => new(Directory.GetFiles(Path.Combine(Agreement.RepositoryRoot(), "fixtures"), "*.json")
        .Select(Path.GetFileName)
        .Order()
        .Select(f => f!));

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

    [Theory]
    [MemberData(nameof(Files))]
    public void Writing_What_Was_Read_Gives_The_Same_Bytes(string file)
    {
        string text = File.ReadAllText(Agreement.FixturePath(file));
        FixtureWriter.Write(FixtureReader.Parse(text)).ShouldBe(text);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Every_Layout_Reads_Back_To_The_Same_Case_And_Passes(bool samplesInColumns, bool weightsInOut)
    {
        Fixture original = FixtureReader.ReadFile(Agreement.FixturePath("worked-example.json"));
        string turned = FixtureWriter.Write(original with { Layout = new Layout(samplesInColumns, weightsInOut) });
        Fixture read = FixtureReader.Parse(turned);

        read.Case.Batches[0].X.Data.ShouldBe(original.Case.Batches[0].X.Data);
        read.Case.Parameters[0].Weight.Data.ShouldBe(original.Case.Parameters[0].Weight.Data);
        StepComparison.Compare(read.Expected, Trainer.Run(read.Case, read.DType), read.EffectiveTolerance).ShouldAllPass();
        if (weightsInOut)
        {
            turned.ShouldContain("\"weight\": [[-1, 3, -0.1], [2, 0.5, -4]]");
        }
    }
}
