using System.Text.Json.Nodes;
using Backprop.Verification;
using Backprop.Testing;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>A fixture that breaks the contract is refused with its JSON path and what is wrong.</summary>
public class FixtureReaderTests
{
    internal static readonly string WorkedExample = File.ReadAllText(Agreement.FixturePath("worked-example.json"));
    internal static readonly string ClassIndices = File.ReadAllText(Agreement.FixturePath("gelu-tanh-elu-cross-entropy-adamw.json"));
    private static readonly string Adam = File.ReadAllText(Agreement.FixturePath("gelu-softplus-bce-logits-adam.json"));

    /// <summary>Breaks of the cross-entropy and Adam fixtures: (which fixture, the break, the message it must give).</summary>
    private static readonly Dictionary<string, (string Fixture, Action<JsonNode> Break, string Message)> OtherBreaks = new()
    {
        ["fractional class index"] = (ClassIndices, f => f["batches"]![0]!["y"]![1] = 1.5,
            "batches[0].y[1]: expected a whole-number class index, got 1.5"),
        ["class index out of range"] = (ClassIndices, f => f["batches"]![1]!["y"]![0] = 3,
            "batches[1].y[0]: class index 3 is outside [0, 3), the output's 3 classes"),
        ["negative class index"] = (ClassIndices, f => f["batches"]![0]!["y"]![0] = -1,
            "batches[0].y[0]: class index -1 is outside [0, 3)"),
        ["too few class indices"] = (ClassIndices, f => f["batches"]![0]!["y"] = JsonNode.Parse("[0, 1]"),
            "batches[0].y: expected one class index per sample, 4, got 2"),
        ["class indices for a loss that takes none"] = (WorkedExample, f => f["batches"]![0]!["y"] = JsonNode.Parse("[0, 1]"),
            "batches[0].y: a 1-D array of class indices is only for cross_entropy; binary_cross_entropy takes a matrix shaped like the output"),
        ["label smoothing above 1"] = (ClassIndices, f => f["network"]!["loss"]!["label_smoothing"] = 2,
            "network.loss: label_smoothing must be between 0.0 and 1.0. Got: 2"),
        ["betas of the wrong length"] = (Adam, f => f["optimizer"]!["betas"] = JsonNode.Parse("[0.9]"),
            "optimizer.betas: expected two numbers, got 1"),
        ["beta of 1"] = (Adam, f => f["optimizer"]!["betas"] = JsonNode.Parse("[0.9, 1]"),
            "optimizer: Invalid beta parameter at index 1: 1"),
        ["negative epsilon"] = (Adam, f => f["optimizer"]!["eps"] = -1e-8,
            "optimizer: Invalid epsilon value: -1E-08"),
        ["softplus with beta 0"] = (Adam, f => f["network"]!["layers"]![1]!["activation"] = JsonNode.Parse("{\"name\": \"softplus\", \"beta\": 0}"),
            "network.layers[1].activation: beta must be finite and not 0"),
        ["gelu with an unknown approximation"] = (Adam, f => f["network"]!["layers"]![0]!["activation"] = JsonNode.Parse("{\"name\": \"gelu\", \"approximate\": \"sigmoid\"}"),
            "network.layers[0].activation.approximate: expected \"none\" or \"tanh\", got \"sigmoid\""),
        ["activation object without a name"] = (Adam, f => f["network"]!["layers"]![0]!["activation"] = JsonNode.Parse("{\"approximate\": \"tanh\"}"),
            "network.layers[0].activation.name: required field is missing"),
    };

    public static TheoryData<string> OtherBreakNames => new(OtherBreaks.Keys);

    [Theory]
    [MemberData(nameof(OtherBreakNames))]
    public void A_Broken_Semantics_Fixture_Is_Refused_With_Its_Json_Path(string name)
    {
        (string text, Action<JsonNode> breakIt, string message) = OtherBreaks[name];
        JsonNode fixture = JsonNode.Parse(text)!;
        breakIt(fixture);
        Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(fixture.ToJsonString()))
            .Message.ShouldStartWith(message);
    }

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
        ["a 10⁷-element weight"] = (f =>
            {
                f["network"]!["inputs"] = 3163;
                f["network"]!["layers"]![0]!["units"] = 3163;
            }, "network.layers[0]: a 3163×3163 weight has 10004569 elements, more than the limit of 4194304"),
        ["a layer of 10⁹ units"] = (f => f["network"]!["layers"]![1]!["units"] = 1_000_000_000, "network.layers[1].units: 1000000000 units is more than the limit of 65536"),
        ["unknown layout"] = (f => f["layout"] = JsonNode.Parse("{\"samples\": \"diagonal\"}"), "layout.samples: expected \"rows\" or \"columns\", got \"diagonal\""),
        ["layout that does not fit the matrices"] = (f => f["layout"] = JsonNode.Parse("{\"weights\": \"in-out\"}"), "parameters[0].weight: expected 2×3, got 3×2"),
        ["negative learning rate"] = (f => f["optimizer"]!["lr"] = -0.1, "optimizer: Invalid learning rate: -0.1"),
        ["learning rate beyond double"] = (f => f["optimizer"]!["lr"] = JsonNode.Parse("1e400"), "optimizer.lr: expected a finite number, got 1e400"),
        ["nesterov without momentum"] = (f => f["optimizer"]!["nesterov"] = true, "optimizer: Nesterov momentum requires a momentum and zero dampening"),
        ["boolean where a number belongs"] = (f => f["parameters"]![0]!["bias"]![1] = true, "parameters[0].bias[1]: expected a number, got a boolean"),
        ["null for a required field"] = (f => f["network"]!["loss"] = null, "network.loss: required field is missing"),
        ["expected layers of the wrong count"] = (f => f["expected"]![0]!["layers"]!.AsArray().RemoveAt(0), "expected[0].layers: expected one entry per layer, 3, got 2"),
        ["parameters after a step without an optimizer"] = (f => f.AsObject().Remove("optimizer"),
            "expected[0].parameters: the fixture has no optimizer, so there is no update to compare with"),
        ["a sample row of the wrong width"] = (f => f["batches"]![0]!["x"]![1] = JsonNode.Parse("[3, 4, 5]"), "batches[0].x[1]: ragged matrix: row 1 has 3 elements, row 0 has 2"),
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

    /// <summary>Runs <paramref name="use"/> on a temporary sparse file of <paramref name="bytes"/> zeros (none of them written), then deletes it.</summary>
    internal static void WithSparseFile(long bytes, Action<string> use)
    {
        string path = Path.Combine(Path.GetTempPath(), $"backprop-sparse-{Guid.NewGuid():N}.json");
        try
        {
            using (var file = File.Create(path))
            {
                file.SetLength(bytes);
            }

            use(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_100_MB_File_Is_Refused_Before_It_Is_Read()
    {
        WithSparseFile(100L << 20, path => Should.Throw<FixtureFormatException>(() => FixtureReader.ReadFile(path))
            .Message.ShouldBe($"the file is {100L << 20} bytes; fixtures are limited to {FixtureReader.MaxFileBytes} bytes"));
    }

    [Fact]
    public void A_Directory_Is_Refused_As_A_Folder()
    {
        Should.Throw<FixtureFormatException>(() => FixtureReader.ReadFile(Path.GetTempPath()))
            .Message.ShouldBe($"cannot read {Path.GetTempPath()}: it is a folder, not a file");
    }

    [Fact]
    public void A_Missing_File_Is_Refused_With_Its_Name()
    {
        Should.Throw<FixtureFormatException>(() => FixtureReader.ReadFile("/nonexistent/fixture.json"))
            .Message.ShouldBe("cannot read /nonexistent/fixture.json: no such file");
    }
}
