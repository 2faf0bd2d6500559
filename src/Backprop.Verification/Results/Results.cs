using System.Text.Json;

namespace Backprop.Verification;

/// <summary>
/// A <c>backprop-results/1</c> document: what someone's implementation computed for a fixture,
/// step by step, each step shaped like an entry of the fixture's <c>expected</c> (the cost, each
/// layer's z, a, gradA, gradZ, gradWeight and gradBias, and the parameters after the step's
/// update), matrices oriented as the fixture's layout says. Its contract is docs/results-format.md.
/// </summary>
public sealed record Results(string Name, IReadOnlyList<StepExpectation> Steps)
{
    public const string Format = "backprop-results/1";

    /// <summary>A run's records as results (every quantity present).</summary>
    public static Results From(string name, IEnumerable<StepRecord<double>> steps)
        => new(name, steps.Select(StepExpectation.From).ToArray());
}

/// <summary>
/// Reads <c>backprop-results/1</c> against the fixture it answers. Invalid JSON, a wrong format
/// or name, a missing required quantity (cost, gradWeight, gradBias, and the parameters when the
/// fixture has an optimizer) or a value that is not a number is a <see cref="FixtureFormatException"/>
/// naming the JSON path. Counts and shapes are read as they are, so that the comparison can say
/// what is missing, extra or transposed.
/// </summary>
public static class ResultsReader
{
    public static Results ReadFile(string path, Fixture fixture)
    {
        string text;
        try
        {
            if (Directory.Exists(path))
            {
                throw new FixtureFormatException("", $"cannot read {path}: it is a folder");
            }

            if (!File.Exists(path))
            {
                throw new FixtureFormatException("", $"cannot read {path}: no such file");
            }

            if (new FileInfo(path).Length > FixtureReader.MaxFileBytes)
            {
                throw new FixtureFormatException("", $"the file is larger than the limit of {FixtureReader.MaxFileBytes} bytes");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FixtureFormatException("", $"cannot read {path}: {e.Message}");
        }

        return Parse(text, fixture);
    }

    public static Results Parse(string json, Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = FixtureReader.MaxDepth });
        }
        catch (JsonException e)
        {
            throw new FixtureFormatException("", $"not valid JSON: {e.Message}");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            FixtureReader.RequireKind(root, "", JsonValueKind.Object);
            string format = FixtureReader.String(FixtureReader.Required(root, "", "format"), "format");
            if (format != Results.Format)
            {
                throw new FixtureFormatException("format", $"expected \"{Results.Format}\", got \"{format}\"");
            }

            string name = FixtureReader.String(FixtureReader.Required(root, "", "name"), "name");
            if (name != fixture.Name)
            {
                throw new FixtureFormatException("name", $"these results are for \"{name}\", but the fixture is \"{fixture.Name}\"");
            }

            JsonElement steps = FixtureReader.Required(root, "", "steps");
            FixtureReader.RequireKind(steps, "steps", JsonValueKind.Array);
            var reader = new StepReader(fixture);
            return new Results(name, steps.EnumerateArray().Select((s, k) => reader.Step(s, $"steps[{k}]")).ToArray());
        }
    }

    private sealed class StepReader(Fixture fixture)
    {
        public StepExpectation Step(JsonElement step, string path)
        {
            FixtureReader.RequireKind(step, path, JsonValueKind.Object);
            double cost = Number(FixtureReader.Required(step, path, "cost"), $"{path}.cost");
            JsonElement layersJson = FixtureReader.Required(step, path, "layers");
            FixtureReader.RequireKind(layersJson, $"{path}.layers", JsonValueKind.Array);
            LayerExpectation[] layers = layersJson.EnumerateArray().Select((layer, i) =>
            {
                string at = $"{path}.layers[{i}]";
                FixtureReader.RequireKind(layer, at, JsonValueKind.Object);
                Matrix<double>? Optional(string field) => FixtureReader.Optional(layer, field) is { } m ? Matrix(m, $"{at}.{field}") : null;
                return new LayerExpectation(
                    Optional("z"), Optional("a"), Optional("gradA"), Optional("gradZ"),
                    Matrix(FixtureReader.Required(layer, at, "gradWeight"), $"{at}.gradWeight"),
                    Vector(FixtureReader.Required(layer, at, "gradBias"), $"{at}.gradBias"));
            }).ToArray();

            IReadOnlyList<LayerParameters<double>>? parameters = null;
            if (fixture.Case.Optimizer is not null)
            {
                JsonElement p = FixtureReader.Required(step, path, "parameters");
                FixtureReader.RequireKind(p, $"{path}.parameters", JsonValueKind.Array);
                parameters = p.EnumerateArray().Select((layer, i) =>
                {
                    string at = $"{path}.parameters[{i}]";
                    FixtureReader.RequireKind(layer, at, JsonValueKind.Object);
                    return new LayerParameters<double>(
                        Matrix(FixtureReader.Required(layer, at, "weight"), $"{at}.weight"),
                        Vector(FixtureReader.Required(layer, at, "bias"), $"{at}.bias"));
                }).ToArray();
            }

            return new StepExpectation(cost, layers, parameters);
        }

        /// <summary>An array of equally long rows of numbers, of any shape: the comparison checks the shape.</summary>
        private Matrix<double> Matrix(JsonElement json, string path)
        {
            FixtureReader.RequireKind(json, path, JsonValueKind.Array);
            int rows = json.GetArrayLength(), cols = -1, r = 0;
            var values = new List<double>();
            foreach (JsonElement row in json.EnumerateArray())
            {
                FixtureReader.RequireKind(row, $"{path}[{r}]", JsonValueKind.Array);
                if (cols >= 0 && row.GetArrayLength() != cols)
                {
                    throw new FixtureFormatException($"{path}[{r}]", $"ragged matrix: row {r} has {row.GetArrayLength()} elements, row 0 has {cols}");
                }

                cols = row.GetArrayLength();
                int c = 0;
                foreach (JsonElement value in row.EnumerateArray())
                {
                    values.Add(FixtureReader.Number(value, fixture.DType, path, r, c++));
                }

                r++;
            }

            return new Matrix<double>(rows, Math.Max(cols, 0), values.ToArray());
        }

        private double[] Vector(JsonElement json, string path)
        {
            FixtureReader.RequireKind(json, path, JsonValueKind.Array);
            return json.EnumerateArray().Select((v, i) => FixtureReader.Number(v, fixture.DType, path, i, -1)).ToArray();
        }

        private double Number(JsonElement value, string path) => FixtureReader.Number(value, path, fixture.DType);
    }
}
