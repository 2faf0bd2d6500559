using System.Text.Json.Nodes;
using Backprop.Testing;
using Backprop.Verification.Tests.Fixtures;
using NJsonSchema;

namespace Backprop.Verification.Tests.Results;

/// <summary>backprop-results/1: read strictly, written so it reads back, checked against its schema.</summary>
public class ResultsTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromJsonAsync(
        File.ReadAllText(Path.Combine(Agreement.RepositoryRoot(), "fixtures", "schema", "backprop-results-1.schema.json"))).GetAwaiter().GetResult();

    private static Fixture Load(string name) => FixtureReader.ReadFile(Agreement.FixturePath($"{name}.json"));

    private static JsonNode Right(Fixture f)
        => JsonNode.Parse(ResultsWriter.Write(Verification.Results.From(f.Name, Trainer.Run(f.Case, f.DType)), f.DType))!;

    public static TheoryData<string> Fixtures => new(FixtureFilesTests.FileNames.Select(n => n[..^".json".Length]));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_Cores_Results_Written_Validate_Read_Back_And_Pass(string name)
    {
        Fixture f = Load(name);
        string text = Right(f).ToJsonString();
        Schema.Validate(text).ShouldBeEmpty();
        ResultsCheck check = ResultsCheck.Compare(f, ResultsReader.Parse(text, f));
        check.ExitCode.ShouldBe(FixtureCheck.Passed, string.Join("\n", check.Quantities.Where(q => !q.Passed).Select(q => q.Describe())));
        check.Quantities.ShouldAllBe(q => !q.NotProvided);
    }

    [Fact]
    public void Float32_Results_Are_Read_As_The_Float32_Values_Written()
    {
        Fixture f = Load("worked-example");
        JsonNode r = Right(f);
        r["steps"]![0]!["cost"] = JsonValue.Create(0.19522886);
        ResultsReader.Parse(r.ToJsonString(), f).Steps[0].Cost.ShouldBe((double)0.19522886f);
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "format", """{"format": "backprop-results/2", "name": "worked-example", "steps": []}""", "format: expected \"backprop-results/1\", got \"backprop-results/2\"" },
        { "name", """{"format": "backprop-results/1", "name": "other", "steps": []}""", "name: these results are for \"other\", but the fixture is \"worked-example\"" },
        { "steps", """{"format": "backprop-results/1", "name": "worked-example"}""", "steps: required field is missing" },
        { "cost", """{"format": "backprop-results/1", "name": "worked-example", "steps": [{"layers": []}]}""", "steps[0].cost: required field is missing" },
        { "gradBias", """{"format": "backprop-results/1", "name": "worked-example", "steps": [{"cost": 1, "layers": [{"gradWeight": [[1]]}]}]}""", "steps[0].layers[0].gradBias: required field is missing" },
        { "parameters", """{"format": "backprop-results/1", "name": "worked-example", "steps": [{"cost": 1, "layers": []}]}""", "steps[0].parameters: required field is missing" },
        { "string", """{"format": "backprop-results/1", "name": "worked-example", "steps": [{"cost": "one", "layers": []}]}""", "steps[0].cost: expected a number or one of \"NaN\", \"Infinity\", \"-Infinity\", got the string \"one\"" },
        { "ragged", """{"format": "backprop-results/1", "name": "worked-example", "steps": [{"cost": 1, "layers": [{"gradWeight": [[1, 2], [3]], "gradBias": [1]}]}]}""", "steps[0].layers[0].gradWeight[1]: ragged matrix: row 1 has 1 elements, row 0 has 2" },
        { "not JSON", "{", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Broken_Results_Are_Refused_With_Their_Json_Path(string what, string json, string message)
        => Should.Throw<FixtureFormatException>(() => ResultsReader.Parse(json, Load("worked-example")), what).Message.ShouldStartWith(message);

    [Fact]
    public void Non_Finite_Strings_Are_Read_And_Compared_As_In_Fixtures()
    {
        Fixture f = Load("overflow-to-infinity");
        JsonNode r = Right(f);
        r["steps"]![0]!["cost"]!.GetValue<string>().ShouldBe("Infinity");
        ResultsCheck.Compare(f, ResultsReader.Parse(r.ToJsonString(), f)).ExitCode.ShouldBe(FixtureCheck.Passed);
        r["steps"]![0]!["cost"] = "-Infinity";
        ResultsCheck wrong = ResultsCheck.Compare(f, ResultsReader.Parse(r.ToJsonString(), f));
        wrong.Quantities.First(q => !q.Passed).Quantity.ShouldBe("step 1 cost");
    }

    [Fact]
    public void Optional_Quantities_Left_Out_Are_Not_Provided_And_Do_Not_Fail()
    {
        Fixture f = Load("worked-example");
        JsonNode r = Right(f);
        foreach (JsonNode? layer in r["steps"]![0]!["layers"]!.AsArray())
        {
            layer!.AsObject().Remove("z");
            layer.AsObject().Remove("gradA");
        }

        ResultsCheck check = ResultsCheck.Compare(f, ResultsReader.Parse(r.ToJsonString(), f));
        check.ExitCode.ShouldBe(FixtureCheck.Passed);
        check.Quantities.Count(q => q.NotProvided).ShouldBe(6);
        check.Quantities.Where(q => q.NotProvided).Select(q => q.Name).Distinct().ShouldBe(["z", "gradA"], ignoreOrder: true);
    }

    [Fact]
    public void A_Changed_Parameter_After_The_Last_Step_Fails()
    {
        Fixture f = Load("sgd-dampening-three-steps");
        JsonNode r = Right(f);
        JsonNode bias = r["steps"]![2]!["parameters"]![1]!["bias"]!;
        bias[0] = bias[0]!.GetValue<double>() + 1e-3;
        ResultsCheck check = ResultsCheck.Compare(f, ResultsReader.Parse(r.ToJsonString(), f));
        check.ExitCode.ShouldBe(FixtureCheck.Mismatch);
        check.Quantities.Single(q => !q.Passed).Quantity.ShouldBe("step 3 layer 2 bias after update");
    }

    [Fact]
    public void An_Extra_Step_And_A_Missing_Layer_Are_Failures_That_Say_So()
    {
        Fixture f = Load("worked-example");
        JsonNode r = Right(f);
        r["steps"]!.AsArray().Add(r["steps"]![0]!.DeepClone());
        r["steps"]![0]!["layers"]!.AsArray().RemoveAt(2);
        ResultsCheck check = ResultsCheck.Compare(f, ResultsReader.Parse(r.ToJsonString(), f));
        check.ExitCode.ShouldBe(FixtureCheck.Mismatch);
        check.Quantities.First(q => !q.Passed).Describe().ShouldBe("step 1 layers: expected 3 layer entries, got 2");
        check.Quantities.Last().Describe().ShouldBe("step 2: extra: the fixture has 1 steps, the results 2");
    }
}
