using System.Text.Json.Nodes;
using Backprop.Testing;
using NJsonSchema;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>fixtures/schema/backprop-fixture-1.schema.json describes every committed fixture, and rejects broken ones.</summary>
public class FixtureSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromJsonAsync(
        File.ReadAllText(Path.Combine(Agreement.RepositoryRoot(), "fixtures", "schema", "backprop-fixture-1.schema.json"))).GetAwaiter().GetResult();

    public static TheoryData<string> Files => FixtureFilesTests.Files;

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_Committed_Fixture_Validates_Against_The_Schema(string file)
    {
        var errors = Schema.Validate(File.ReadAllText(Agreement.FixturePath(file)));
        errors.ShouldBeEmpty(string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Theory]
    [InlineData("format", "\"backprop-fixture/2\"")]
    [InlineData("dtype", "\"float16\"")]
    [InlineData("name", "\"Not A Name\"")]
    [InlineData("steps", "0")]
    public void A_Broken_Top_Level_Field_Fails_The_Schema(string field, string value)
    {
        JsonNode fixture = JsonNode.Parse(File.ReadAllText(Agreement.FixturePath("worked-example.json")))!;
        fixture[field] = JsonNode.Parse(value);
        Schema.Validate(fixture.ToJsonString()).ShouldNotBeEmpty();
    }

    [Fact]
    public void An_Unknown_Activation_Or_A_String_Where_A_Number_Belongs_Fails_The_Schema()
    {
        JsonNode fixture = JsonNode.Parse(File.ReadAllText(Agreement.FixturePath("worked-example.json")))!;
        fixture["network"]!["layers"]![0]!["activation"] = "swish";
        Schema.Validate(fixture.ToJsonString()).ShouldNotBeEmpty();

        fixture = JsonNode.Parse(File.ReadAllText(Agreement.FixturePath("worked-example.json")))!;
        fixture["batches"]![0]!["x"]![0]![0] = "1";
        Schema.Validate(fixture.ToJsonString()).ShouldNotBeEmpty();
    }

    [Fact]
    public void A_Beta_Of_1_Fails_The_Schema()
    {
        JsonNode fixture = JsonNode.Parse(File.ReadAllText(Agreement.FixturePath("gelu-softplus-bce-logits-adam.json")))!;
        fixture["optimizer"]!["betas"] = JsonNode.Parse("[0.9, 1.0]");
        Schema.Validate(fixture.ToJsonString()).ShouldNotBeEmpty();
    }
}
