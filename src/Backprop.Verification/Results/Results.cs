using System.Text.Json;

namespace Backprop.Verification;

/// <summary>
/// A <c>backprop-results/1</c> document: what someone's implementation computed for a fixture,
/// step by step, each step shaped like an entry of the fixture's <c>expected</c> (the cost, each
/// layer's z, a, gradA, gradZ, gradWeight and gradBias, and the parameters after the step's
/// update), matrices oriented as the fixture's layout says. Its contract is docs/results-format.md.
/// Thread-safe: immutable.
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
/// what is missing, extra or transposed. A file is read as a fixture is (<see cref="FixtureReader"/>):
/// a regular file only, at most <see cref="FixtureReader.MaxFileBytes"/> bytes of strict UTF-8, in
/// time linear in its size, and <see cref="Open(string, FixtureHeader)"/> reads one step at a time.
/// Thread-safe: it holds no state.
/// </summary>
public static class ResultsReader
{
    public static Results ReadFile(string path, Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        return ReadAll(Open(path, fixture.Header));
    }

    public static Results Parse(string json, Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        return ReadAll(OpenText(json, fixture.Header));
    }

    /// <summary>Reads results from UTF-8 bytes, as a file holds them.</summary>
    public static Results ParseUtf8(ReadOnlyMemory<byte> utf8, Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        return ReadAll(OpenUtf8(utf8, fixture.Header));
    }

    /// <summary>Reads a results file's format, name and step count; <see cref="ResultsSteps.Read"/> then reads one step at a time.</summary>
    public static ResultsSteps Open(string path, FixtureHeader fixture)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(fixture);
        return new ResultsSteps(JsonInput.FromBytes(JsonInput.ReadFile(path, FixtureReader.MaxFileBytes, "results files")), fixture);
    }

    /// <summary>As <see cref="Open(string, FixtureHeader)"/>, from text.</summary>
    public static ResultsSteps OpenText(string json, FixtureHeader fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        return new ResultsSteps(JsonInput.FromText(json), fixture);
    }

    /// <summary>As <see cref="Open(string, FixtureHeader)"/>, from UTF-8 bytes.</summary>
    public static ResultsSteps OpenUtf8(ReadOnlyMemory<byte> utf8, FixtureHeader fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        return new ResultsSteps(JsonInput.FromBytes(utf8), fixture);
    }

    private static Results ReadAll(ResultsSteps steps) => new(steps.Name, steps.Read().ToArray());

    /// <summary>
    /// Results whose format and name have been checked, and whose steps <see cref="Read"/> reads
    /// one at a time. Not thread-safe: one reader walks it.
    /// </summary>
    public sealed class ResultsSteps
    {
        private readonly JsonInput input;
        private readonly StepReader reader;

        internal ResultsSteps(JsonInput input, FixtureHeader fixture)
        {
            this.input = input;
            reader = new StepReader(fixture);
            if (input.RootKind != JsonValueKind.Object)
            {
                throw new FixtureFormatException("$", $"expected an object, got {FixtureReader.Describe(input.RootKind)}");
            }

            string format = TopString("format");
            if (format != Results.Format)
            {
                throw new FixtureFormatException("format", $"expected \"{Results.Format}\", got {FixtureReader.Quoted(format)}");
            }

            Name = TopString("name");
            if (Name != fixture.Name)
            {
                throw new FixtureFormatException("name", $"these results are for {FixtureReader.Quoted(Name)}, but the fixture is \"{fixture.Name}\"");
            }

            JsonValueKind? steps = input.KindOf("steps");
            if (steps is null or JsonValueKind.Null)
            {
                throw new FixtureFormatException("steps", "required field is missing");
            }

            if (steps != JsonValueKind.Array)
            {
                throw new FixtureFormatException("steps", $"expected an array, got {FixtureReader.Describe(steps.Value)}");
            }

            Count = input.Count("steps");
        }

        /// <summary>The fixture name the results answer.</summary>
        public string Name { get; }

        /// <summary>How many steps the results hold.</summary>
        public int Count { get; }

        /// <summary>Each step in order, read and checked as it is asked for.</summary>
        public IEnumerable<StepExpectation> Read()
        {
            int k = 0;
            foreach (JsonElement step in input.Elements("steps"))
            {
                yield return reader.Step(step, $"steps[{k}]");
                k++;
            }
        }

        private string TopString(string field)
        {
            using JsonDocument? document = input.Field(field);
            return document is null || document.RootElement.ValueKind == JsonValueKind.Null
                ? throw new FixtureFormatException(field, "required field is missing")
                : FixtureReader.String(document.RootElement, field);
        }
    }

    private sealed class StepReader(FixtureHeader fixture)
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
