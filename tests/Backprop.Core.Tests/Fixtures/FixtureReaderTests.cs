using System.Text.Json.Nodes;
using Backprop.Core.Fixtures;
using Backprop.Testing;

namespace Backprop.Core.Tests.Fixtures;

/// <summary>A fixture that breaks the contract is refused with its JSON path and what is wrong.</summary>
public class FixtureReaderTests
{
    private static readonly string WorkedExample = File.ReadAllText(Agreement.FixturePath("worked-example.json"));

    private static readonly Dictionary<string, (Action<JsonNode> Break, string Message)> Breaks = new()
    {
        ["wrong format"] = (f => f["format"] = "backprop-fixture/2", "format: expected \"backprop-fixture/1\", got \"backprop-fixture/2\""),
        ["bad name"] = (f => f["name"] = "Worked Example", "name: \"Worked Example\" must match [a-z0-9-]+"),
        ["missing dtype"] = (f => f.AsObject().Remove("dtype"), "dtype: required field is missing"),
        ["unknown dtype"] = (f => f["dtype"] = "float16", "dtype: expected \"float32\" or \"float64\", got \"float16\""),
        ["transposed weight"] = (f => f["parameters"]![1]!["weight"] = JsonNode.Parse("[[0.5, 0.7], [1, 0.1], [-2, 0.3]]"),
            "parameters[1].weight: expected 2×3, got 3×2"),
        ["ragged matrix"] = (f => f["parameters"]![0]!["weight"] = JsonNode.Parse("[[-1, 2], [3], [-0.1, -4]]"),
            "parameters[0].weight[1]: ragged matrix: row 1 has 1 elements, row 0 has 2"),
        ["string for a number"] = (f => f["batches"]![0]!["x"]![0]![1] = "2",
            "batches[0].x[0][1]: expected a number or one of \"NaN\", \"Infinity\", \"-Infinity\", got the string \"2\""),
        ["object for a matrix"] = (f => f["batches"]![0]!["y"] = new JsonObject(), "batches[0].y: expected an array, got an object"),
        ["unknown activation"] = (f => f["network"]!["layers"]![0]!["activation"] = "swish",
            "network.layers[0].activation: unknown activation \"swish\""),
        ["unknown loss"] = (f => f["network"]!["loss"]!["name"] = "hinge", "network.loss.name: unknown loss \"hinge\""),
        ["unknown optimizer"] = (f => f["optimizer"]!["name"] = "lbfgs", "optimizer.name: unknown optimizer \"lbfgs\""),
        ["fractional units"] = (f => f["network"]!["layers"]![0]!["units"] = 2.5, "network.layers[0].units: expected an integer, got 2.5"),
        ["zero steps"] = (f => f["steps"] = 0, "steps: must be at least 1, got 0"),
        ["more steps than expected"] = (f => f["steps"] = 2, "expected: must hold one entry per step: 2 step(s), but 1 entries"),
        ["no batches"] = (f => f["batches"] = new JsonArray(), "batches: at least one batch is required"),
        ["number beyond float32"] = (f => f["expected"]![0]!["cost"] = 1e39, "expected[0].cost: 1E+39 is beyond the range of float32"),
        ["non-finite spelled wrong"] = (f => f["expected"]![0]!["cost"] = "nan", "expected[0].cost: expected a number or one of"),
        ["update missing"] = (f => f["expected"]![0]!.AsObject().Remove("parameters"),
            "expected[0]: \"parameters\" is required when the fixture has an optimizer"),
        ["gradient of a wrong shape"] = (f => f["expected"]![0]!["layers"]![2]!["gradWeight"] = JsonNode.Parse("[[1], [2]]"),
            "expected[0].layers[2].gradWeight: expected 1×2, got 2×1"),
        ["absurd width"] = (f => f["network"]!["inputs"] = 1_000_000_000, "network.inputs: 1000000000 units is more than the limit of 65536"),
        ["negative tolerance"] = (f => f["tolerance"] = JsonNode.Parse("{\"rtol\": -1, \"atol\": 0}"), "tolerance: rtol and atol must not be negative"),
    };

    public static TheoryData<string> BreakNames => new(Breaks.Keys);

    [Theory]
    [MemberData(nameof(BreakNames))]
    public void A_Broken_Fixture_Is_Refused_With_Its_Json_Path(string name)
    {
        (Action<JsonNode> breakIt, string message) = Breaks[name];
        JsonNode fixture = JsonNode.Parse(WorkedExample)!;
        breakIt(fixture);
        Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(fixture.ToJsonString()))
            .Message.ShouldStartWith(message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1, 2]")]
    [InlineData("null")]
    public void Text_That_Is_Not_A_Fixture_Object_Is_Refused(string text)
    {
        Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(text)).Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void A_Truncated_File_Is_Refused_As_Invalid_Json()
    {
        Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(WorkedExample[..(WorkedExample.Length / 2)]))
            .Message.ShouldStartWith("not valid JSON");
    }

    [Fact]
    public void Deep_Nesting_Is_Refused_Without_Recursing_Into_It()
    {
        string deep = new string('[', 10_000) + new string(']', 10_000);
        Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(deep)).Message.ShouldStartWith("not valid JSON");
    }

    [Fact]
    public void Unknown_Fields_Are_Ignored_As_The_Contract_Asks()
    {
        JsonNode fixture = JsonNode.Parse(WorkedExample)!;
        fixture["comment"] = "a writer may add fields";
        fixture["network"]!["layers"]![0]!["initialiser"] = "kaiming";
        FixtureReader.Parse(fixture.ToJsonString()).Name.ShouldBe("worked-example");
    }

    [Fact]
    public void Non_Finite_Strings_Read_As_Their_Values()
    {
        JsonNode fixture = JsonNode.Parse(WorkedExample)!;
        fixture["expected"]![0]!["cost"] = "NaN";
        fixture["batches"]![0]!["x"]![0]![0] = "-Infinity";
        Fixture read = FixtureReader.Parse(fixture.ToJsonString());
        double.IsNaN(read.Expected[0].Cost).ShouldBeTrue();
        read.Case.Batches[0].X[0, 0].ShouldBe(double.NegativeInfinity);
    }

    [Fact]
    public void A_Missing_File_Is_Refused_With_Its_Name()
    {
        Should.Throw<FixtureFormatException>(() => FixtureReader.ReadFile("/nonexistent/fixture.json"))
            .Message.ShouldBe("cannot read /nonexistent/fixture.json: no such file");
    }
}
