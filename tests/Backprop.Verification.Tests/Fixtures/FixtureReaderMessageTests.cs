using System.Text.Json.Nodes;
using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>
/// Each refusal of the reader names the exact JSON path and says exactly what is wrong: one break
/// per check, compared word for word, so a message that loses its path or its words is caught.
/// Also: the limits refuse one past the limit and accept the limit itself, and every optional
/// field of an activation, loss and optimizer is read into the value it names.
/// </summary>
public class FixtureReaderMessageTests
{
    private static string WorkedExample => FixtureReaderTests.WorkedExample;

    private static string ClassIndices => FixtureReaderTests.ClassIndices;

    private static JsonNode Parsed(string text) => JsonNode.Parse(text)!;

    private static JsonNode Layer0(JsonNode f) => f["expected"]![0]!["layers"]![0]!;

    /// <summary>(the break applied to the worked example, the whole message it must give).</summary>
    private static readonly Dictionary<string, (Action<JsonNode> Break, string Message)> Breaks = new()
    {
        ["format missing"] = (f => f.AsObject().Remove("format"), "format: required field is missing"),
        ["format not a string"] = (f => f["format"] = 1, "format: expected a string, got a number"),
        ["name missing"] = (f => f.AsObject().Remove("name"), "name: required field is missing"),
        ["name not a string"] = (f => f["name"] = 5, "name: expected a string, got a number"),
        ["dtype not a string"] = (f => f["dtype"] = 32, "dtype: expected a string, got a number"),
        ["network missing"] = (f => f.AsObject().Remove("network"), "network: required field is missing"),
        ["parameters missing"] = (f => f.AsObject().Remove("parameters"), "parameters: required field is missing"),
        ["batches missing"] = (f => f.AsObject().Remove("batches"), "batches: required field is missing"),
        ["batches not an array"] = (f => f["batches"] = new JsonObject(), "batches: expected an array, got an object"),
        ["steps not a number"] = (f => f["steps"] = "2", "steps: expected a number, got a string"),
        ["expected missing"] = (f => f.AsObject().Remove("expected"), "expected: required field is missing"),
        ["expected not an array"] = (f => f["expected"] = new JsonObject(), "expected: expected an array, got an object"),
        ["layout not an object"] = (f => f["layout"] = "rows", "layout: expected an object, got a string"),
        ["layout.samples not a string"] = (f => f["layout"]!["samples"] = 1, "layout.samples: expected a string, got a number"),
        ["layout.weights not a string"] = (f => f["layout"]!["weights"] = 1, "layout.weights: expected a string, got a number"),
        ["unknown weight layout"] = (f => f["layout"]!["weights"] = "diagonal",
            "layout.weights: expected \"out-in\" or \"in-out\", got \"diagonal\""),
        ["layers not an array"] = (f => f["network"]!["layers"] = new JsonObject(), "network.layers: expected an array, got an object"),
        ["no layers"] = (f => f["network"]!["layers"] = new JsonArray(), "network.layers: at least one layer is required"),
        ["zero units"] = (f => f["network"]!["layers"]![0]!["units"] = 0, "network.layers[0].units: must be at least 1, got 0"),
        ["the last layer's weight past the element limit"] = (f =>
            {
                f["network"]!["layers"]![1]!["units"] = 65536;
                f["network"]!["layers"]![2]!["units"] = 65536;
            }, "network.layers[2]: a 65536×65536 weight has 4294967296 elements, more than the limit of 4194304"),
        ["activation name not a string"] = (f => f["network"]!["layers"]![0]!["activation"] = JsonNode.Parse("{\"name\": 1}"),
            "network.layers[0].activation.name: expected a string, got a number"),
        ["unknown activation by name"] = (f => f["network"]!["layers"]![0]!["activation"] = "swish",
            "network.layers[0].activation: unknown activation \"swish\"; backprop-fixture/1 knows identity, relu, leaky_relu, sigmoid, tanh, softmax, gelu, softplus, elu, silu"),
        ["unknown activation in an object"] = (f => f["network"]!["layers"]![0]!["activation"] = JsonNode.Parse("{\"name\": \"swish\"}"),
            "network.layers[0].activation.name: unknown activation \"swish\"; backprop-fixture/1 knows identity, relu, leaky_relu, sigmoid, tanh, softmax, gelu, softplus, elu, silu"),
        ["gelu approximation not a string"] = (f => f["network"]!["layers"]![0]!["activation"] = JsonNode.Parse("{\"name\": \"gelu\", \"approximate\": 1}"),
            "network.layers[0].activation.approximate: expected a string, got a number"),
        ["loss name not a string"] = (f => f["network"]!["loss"]!["name"] = 1, "network.loss.name: expected a string, got a number"),
        ["reduction not a string"] = (f => f["network"]!["loss"]!["reduction"] = 1, "network.loss.reduction: expected a string, got a number"),
        ["unknown reduction"] = (f => f["network"]!["loss"]!["reduction"] = "median",
            "network.loss.reduction: expected \"mean\" or \"sum\", got \"median\""),
        ["scale not a number"] = (f => f["network"]!["loss"]!["scale"] = "x", "network.loss.scale: expected a number, got a string"),
        // label_smoothing is cross_entropy's; other losses ignore it as an unknown field.
        ["label smoothing not a number"] = (f => f["network"]!["loss"] = JsonNode.Parse("{\"name\": \"cross_entropy\", \"label_smoothing\": \"x\"}"),
            "network.loss.label_smoothing: expected a number, got a string"),
        ["unknown loss"] = (f => f["network"]!["loss"]!["name"] = "hinge",
            "network.loss.name: unknown loss \"hinge\"; backprop-fixture/1 knows binary_cross_entropy, binary_cross_entropy_with_logits, mse_loss, cross_entropy"),
        ["optimizer name not a string"] = (f => f["optimizer"]!["name"] = 1, "optimizer.name: expected a string, got a number"),
        ["nesterov not a boolean"] = (f => f["optimizer"]!["nesterov"] = 1, "optimizer.nesterov: expected a boolean, got a number"),
        ["a null inside a matrix"] = (f => f["batches"]![0]!["x"]![0]![0] = null, "batches[0].x[0][0]: expected a number, got null"),
        ["x not an array"] = (f => f["batches"]![0]!["x"] = new JsonObject(), "batches[0].x: expected an array, got an object"),
        ["x without samples"] = (f => f["batches"]![0]!["x"] = new JsonArray(), "batches[0].x: a batch must hold at least one sample"),
        ["y of the wrong width"] = (f => f["batches"]![0]!["y"] = JsonNode.Parse("[[1, 2], [3, 4]]"), "batches[0].y: expected 2×1, got 2×2"),
        ["expected layers not an array"] = (f => f["expected"]![0]!["layers"] = new JsonObject(),
            "expected[0].layers: expected an array, got an object"),
        ["z of the wrong shape"] = (f => Layer0(f)["z"] = JsonNode.Parse("[[1]]"), "expected[0].layers[0].z: expected 2×3, got 1×1"),
        ["gradBias of the wrong length"] = (f => Layer0(f)["gradBias"] = JsonNode.Parse("[1]"),
            "expected[0].layers[0].gradBias: expected 3 elements, got 1"),
        ["updated parameters of the wrong count"] = (f => f["expected"]![0]!["parameters"] = new JsonArray(),
            "expected[0].parameters: expected one entry per layer, 3, got 0"),
        ["tolerance not an object"] = (f => f["tolerance"] = 1, "tolerance: expected an object, got a number"),
        ["rtol not a number"] = (f => f["tolerance"] = JsonNode.Parse("{\"rtol\": \"x\", \"atol\": 0}"), "tolerance.rtol: expected a number, got a string"),
        ["atol not a number"] = (f => f["tolerance"] = JsonNode.Parse("{\"rtol\": 0, \"atol\": \"x\"}"), "tolerance.atol: expected a number, got a string"),
        ["an empty weight"] = (f => f["parameters"]![0]!["weight"] = new JsonArray(), "parameters[0].weight: expected 3×2, got 0×0"),
        ["a weight row that is a number"] = (f => f["parameters"]![0]!["weight"] = JsonNode.Parse("[1, 2, 3]"),
            "parameters[0].weight[0]: expected an array, got a number"),
        ["a weight with one column too many"] = (f => f["parameters"]![0]!["weight"] = JsonNode.Parse("[[1, 2, 3], [1, 2, 3], [1, 2, 3]]"),
            "parameters[0].weight: expected 3×2, got 3×3"),
        ["more samples than the width limit"] = (f => f["batches"]![0]!["x"] = new JsonArray(Enumerable.Range(0, 65537).Select(_ => (JsonNode)new JsonArray()).ToArray()),
            "batches[0].x: 65537 samples is more than the limit of 65536"),
        ["columns layout with a number for the first row"] = (f =>
            {
                f["layout"]!["samples"] = "columns";
                f["batches"]![0]!["x"] = JsonNode.Parse("[1, 2]");
            }, "batches[0].x[0]: expected an array, got a number"),
        ["columns layout with more samples than the width limit"] = (f =>
            {
                f["layout"]!["samples"] = "columns";
                f["batches"]![0]!["x"] = new JsonArray(new JsonArray(Enumerable.Range(0, 65537).Select(_ => (JsonNode)0).ToArray()));
            }, "batches[0].x: 65537 samples is more than the limit of 65536"),

        // The limits themselves are allowed: the reader goes on and fails at the next check.
        ["inputs exactly at the width limit"] = (f => f["network"]!["inputs"] = 65536, "parameters[0].weight: expected 3×65536, got 3×2"),
        ["a weight exactly at the element limit"] = (f =>
            {
                f["network"]!["inputs"] = 2048;
                f["network"]!["layers"]![0]!["units"] = 2048;
            }, "parameters[0].weight: expected 2048×2048, got 3×2"),
    };

    public static TheoryData<string> BreakNames => new(Breaks.Keys);

    [Theory]
    [MemberData(nameof(BreakNames))]
    public void A_Break_Is_Refused_With_Exactly_Its_Path_And_Problem(string name)
    {
        (Action<JsonNode> breakIt, string message) = Breaks[name];
        JsonNode fixture = Parsed(WorkedExample);
        breakIt(fixture);
        FixtureFormatException e = Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(fixture.ToJsonString()));
        e.Message.ShouldBe(message);
        e.JsonPath.ShouldBe(message[..message.IndexOf(": ", StringComparison.Ordinal)]);
    }

    [Theory]
    [InlineData("[1, 2]", "$: expected an object, got an array")]
    [InlineData("null", "$: expected an object, got null")]
    [InlineData("\"fixture\"", "$: expected an object, got a string")]
    public void A_Root_That_Is_Not_An_Object_Is_Refused_At_The_Root(string text, string message)
    {
        FixtureFormatException e = Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(text));
        e.Message.ShouldBe(message);
        e.JsonPath.ShouldBe("$");
    }

    [Fact]
    public void A_Class_Index_That_Is_Not_A_Number_Is_Described_By_Its_Kind()
    {
        JsonNode fixture = Parsed(ClassIndices);
        fixture["batches"]![0]!["y"]![1] = "a";
        Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(fixture.ToJsonString()))
            .Message.ShouldBe("batches[0].y[1]: expected a whole-number class index, got a string");
    }

    [Fact]
    public void Betas_That_Are_Not_An_Array_Or_Not_Numbers_Are_Refused_By_Index()
    {
        string Refusal(string betas)
        {
            JsonNode fixture = Parsed(ClassIndices);
            fixture["optimizer"]!["betas"] = JsonNode.Parse(betas);
            return Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(fixture.ToJsonString())).Message;
        }

        Refusal("1").ShouldBe("optimizer.betas: expected an array, got a number");
        Refusal("[\"a\", 0.9]").ShouldBe("optimizer.betas[0]: expected a number, got a string");
        Refusal("[0.9, \"a\"]").ShouldBe("optimizer.betas[1]: expected a number, got a string");
    }

    [Fact]
    public void A_Batch_Whose_Widest_Matrix_Passes_The_Element_Limit_Is_Refused_Before_It_Is_Read()
    {
        // 65536 samples (the width limit) through a 65-unit hidden layer: Z and A would hold
        // 4,259,840 elements each, past the 4,194,304 limit, though the input is one column wide.
        JsonNode fixture = Parsed(
            """
            {"format": "backprop-fixture/1", "name": "wide-batch", "dtype": "float64",
             "network": {"inputs": 1, "layers": [{"units": 65, "activation": "relu"}, {"units": 1, "activation": "identity"}],
                         "loss": {"name": "mse_loss"}},
             "parameters": [], "batches": [], "expected": [{"cost": 0}]}
            """);
        fixture["parameters"] = JsonNode.Parse(
            $"[{{\"weight\": [{string.Join(", ", Enumerable.Repeat("[0]", 65))}], \"bias\": [{string.Join(", ", Enumerable.Repeat("0", 65))}]}},"
            + $" {{\"weight\": [[{string.Join(", ", Enumerable.Repeat("0", 65))}]], \"bias\": [0]}}]");
        fixture["batches"] = new JsonArray(new JsonObject
        {
            ["x"] = new JsonArray(Enumerable.Range(0, 65536).Select(_ => (JsonNode)new JsonArray(0)).ToArray()),
            ["y"] = new JsonArray(Enumerable.Range(0, 65536).Select(_ => (JsonNode)new JsonArray(0)).ToArray()),
        });
        Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(fixture.ToJsonString()))
            .Message.ShouldBe("batches[0].x: a 65536×65 batch's widest matrix has 4259840 elements, more than the limit of 4194304");
    }

    [Fact]
    public void Nesting_Past_The_Depth_Limit_Is_Refused_Even_Where_Unknown_Fields_Would_Be_Ignored()
    {
        JsonNode Nested(int depth)
        {
            JsonNode fixture = Parsed(WorkedExample);
            fixture["comment"] = JsonNode.Parse(new string('[', depth) + new string(']', depth));
            return fixture;
        }

        // The root object is level 1, so a comment nested 31 deep reaches the limit of 32.
        FixtureReader.Parse(Nested(FixtureReader.MaxDepth - 1).ToJsonString()).Name.ShouldBe("worked-example");
        Should.Throw<FixtureFormatException>(() => FixtureReader.Parse(Nested(FixtureReader.MaxDepth).ToJsonString()))
            .Message.ShouldStartWith("not valid JSON");
    }

    [Fact]
    public void Null_Text_Is_An_Argument_Error()
    {
        Should.Throw<ArgumentNullException>(() => FixtureReader.Parse(null!));
    }

    [Fact]
    public void Infinity_Reads_As_Positive_Infinity()
    {
        JsonNode fixture = Parsed(WorkedExample);
        fixture["expected"]![0]!["cost"] = "Infinity";
        FixtureReader.Parse(fixture.ToJsonString()).Expected[0].Cost.ShouldBe(double.PositiveInfinity);
    }

    [Fact]
    public void An_Empty_Path_Is_Refused_As_Unreadable()
    {
        Should.Throw<FixtureFormatException>(() => FixtureReader.ReadFile(""))
            .Message.ShouldStartWith("cannot read : ");
    }

    [Fact]
    public void A_File_That_Exists_But_Cannot_Be_Read_Is_Refused_As_Unreadable()
    {
        // Reading /proc/self/mem at offset 0 fails with EIO: the one unreadable file that even
        // root cannot read, which is who runs the tests in CI.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Should.Throw<FixtureFormatException>(() => FixtureReader.ReadFile("/proc/self/mem"))
            .Message.ShouldStartWith("cannot read /proc/self/mem: ");
    }

    [Fact]
    public void A_File_Of_Exactly_The_Size_Limit_Is_Read()
    {
        // Sparse zeros: read, then refused as JSON, not for its size.
        FixtureReaderTests.WithSparseFile(FixtureReader.MaxFileBytes, path =>
            Should.Throw<FixtureFormatException>(() => FixtureReader.ReadFile(path)).Message.ShouldStartWith("not valid JSON"));
    }

    [Fact]
    public void Every_Optional_Field_Is_Read_Into_The_Value_It_Names()
    {
        JsonNode fixture = Parsed(WorkedExample);
        fixture["network"]!["layers"]![0]!["activation"] = JsonNode.Parse("{\"name\": \"softplus\", \"beta\": 2, \"threshold\": 5}");
        fixture["network"]!["layers"]![1]!["activation"] = JsonNode.Parse("{\"name\": \"gelu\", \"approximate\": \"tanh\"}");
        fixture["network"]!["loss"] = JsonNode.Parse("{\"name\": \"binary_cross_entropy\", \"reduction\": \"sum\", \"scale\": 0.25}");
        fixture["optimizer"] = JsonNode.Parse("{\"name\": \"sgd\", \"lr\": 0.5, \"momentum\": 0.25, \"dampening\": 0.125, \"weight_decay\": 0.0625}");
        Fixture read = FixtureReader.Parse(fixture.ToJsonString());

        var softplus = read.Case.Network.Layers[0].Activation.ShouldBeOfType<Softplus>();
        (softplus.Beta, softplus.Threshold).ShouldBe((2.0, 5.0));
        read.Case.Network.Layers[1].Activation.ShouldBeSameAs(Gelu.TanhApproximate);
        Loss loss = read.Case.Network.Loss;
        (loss.Name, loss.Reduction, loss.Scale).ShouldBe(("binary_cross_entropy", Reduction.Sum, 0.25));
        read.Case.Optimizer.ShouldBe(new Sgd(0.5, 0.25, 0.125, 0.0625));

        fixture["optimizer"] = JsonNode.Parse("{\"name\": \"sgd\", \"lr\": 0.5, \"momentum\": 0.25, \"nesterov\": true}");
        FixtureReader.Parse(fixture.ToJsonString()).Case.Optimizer.ShouldBe(new Sgd(0.5, 0.25, Nesterov: true));

        fixture["optimizer"] = JsonNode.Parse(
            "{\"name\": \"adam\", \"lr\": 0.5, \"betas\": [0.25, 0.125], \"eps\": 0.0625, \"weight_decay\": 0.03125, \"amsgrad\": true}");
        FixtureReader.Parse(fixture.ToJsonString()).Case.Optimizer.ShouldBe(new Adam(0.5, 0.25, 0.125, 0.0625, 0.03125, Amsgrad: true));

        fixture["optimizer"]!["name"] = "adamw";
        FixtureReader.Parse(fixture.ToJsonString()).Case.Optimizer.ShouldBe(new AdamW(0.5, 0.25, 0.125, 0.0625, 0.03125, Amsgrad: true));
    }

    [Fact]
    public void Absent_Optional_Fields_Take_PyTorch_Defaults()
    {
        JsonNode fixture = Parsed(WorkedExample);
        fixture["network"]!["layers"]![0]!["activation"] = JsonNode.Parse("{\"name\": \"softplus\"}");
        fixture["network"]!["layers"]![1]!["activation"] = JsonNode.Parse("{\"name\": \"gelu\"}");
        fixture["network"]!["loss"] = JsonNode.Parse("{\"name\": \"binary_cross_entropy\"}");
        fixture.AsObject().Remove("layout");
        fixture["optimizer"] = JsonNode.Parse("{\"name\": \"adamw\"}");
        Fixture read = FixtureReader.Parse(fixture.ToJsonString());

        var softplus = read.Case.Network.Layers[0].Activation.ShouldBeOfType<Softplus>();
        (softplus.Beta, softplus.Threshold).ShouldBe((1.0, 20.0));
        read.Case.Network.Layers[1].Activation.ShouldBeSameAs(Gelu.Exact);
        (read.Case.Network.Loss.Reduction, read.Case.Network.Loss.Scale).ShouldBe((Reduction.Mean, 1.0));
        read.Case.Layout.ShouldBe(Layout.RowsOutIn);
        read.Case.Optimizer.ShouldBe(new AdamW(1e-3, 0.9, 0.999, 1e-8, 0.01));
    }
}
