using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Backprop.Verification;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Verification;

/// <summary>
/// Reads <c>backprop-fixture/1</c> files and checks them against the contract: every required
/// field, every type, every shape against the network and the layout. Anything wrong is a
/// <see cref="FixtureFormatException"/> whose message starts with the JSON path. Unknown fields
/// are ignored, as the contract asks of readers. Only a regular file is read, at most
/// <see cref="MaxFileBytes"/> bytes of strict UTF-8 (<see cref="JsonInput"/>), in time linear in
/// its size; <see cref="Open(string)"/> reads the case and then the expectations one step at a
/// time, so that a checker holds one step at a time. Thread-safe: it holds no state.
/// </summary>
public static class FixtureReader
{
    /// <summary>Files larger than this are refused before they are read, and no more than this is ever read.</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>Nesting deeper than this is refused (a fixture needs about 6 levels).</summary>
    public const int MaxDepth = 32;

    /// <summary>No layer, input or batch may be wider than this.</summary>
    public const int MaxWidth = 1 << 16;

    /// <summary>No matrix (a weight, a batch, an intermediate) may hold more elements than this.</summary>
    public const long MaxElements = 1L << 22;

    /// <summary>
    /// No step may hold more numbers than this: every layer's Z, A, ∂J/∂A and ∂J/∂Z for the
    /// step's batch, and its weight, bias and their gradients. It bounds a checker's memory.
    /// </summary>
    public const long MaxStepNumbers = 1L << 24;

    /// <summary>
    /// No fixture may ask for more multiply-adds than this in all its steps (each step's forward
    /// and backward products): it bounds a checker's time to seconds.
    /// </summary>
    public const long MaxMultiplyAdds = 1L << 33;

    /// <summary>Reads a whole fixture file: the case and every step's expectations.</summary>
    public static Fixture ReadFile(string path) => ReadAll(OpenFile(path));

    /// <summary>Reads a whole fixture from text.</summary>
    public static Fixture Parse(string json) => ReadAll(JsonInput.FromText(json));

    /// <summary>Reads a whole fixture from UTF-8 bytes, as a file holds them.</summary>
    public static Fixture ParseUtf8(ReadOnlyMemory<byte> utf8) => ReadAll(JsonInput.FromBytes(utf8));

    /// <summary>
    /// Reads a fixture file's case (everything but <c>expected</c>) and checks the count of
    /// expectations; its <see cref="FixtureSteps.Read"/> then reads one step at a time.
    /// </summary>
    public static FixtureSteps Open(string path) => new(OpenFile(path));

    /// <summary>As <see cref="Open(string)"/>, from text.</summary>
    public static FixtureSteps OpenText(string json) => new(JsonInput.FromText(json));

    /// <summary>As <see cref="Open(string)"/>, from UTF-8 bytes.</summary>
    public static FixtureSteps OpenUtf8(ReadOnlyMemory<byte> utf8) => new(JsonInput.FromBytes(utf8));

    private static JsonInput OpenFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return JsonInput.FromBytes(JsonInput.ReadFile(path, MaxFileBytes, "fixtures"));
    }

    private static Fixture ReadAll(JsonInput input)
    {
        var steps = new FixtureSteps(input);
        return steps.Header.With(steps.Read().ToArray());
    }

    /// <summary>
    /// A fixture whose case has been read and checked, and whose expectations are read one step
    /// at a time by <see cref="Read"/> (each refusal names its JSON path). Not thread-safe: one
    /// reader walks it.
    /// </summary>
    public sealed class FixtureSteps
    {
        private readonly JsonInput input;
        private readonly Reader reader;

        internal FixtureSteps(JsonInput input)
        {
            this.input = input;
            reader = new Reader();
            Header = reader.ReadHeader(input);
        }

        /// <summary>The fixture without its expectations.</summary>
        public FixtureHeader Header { get; }

        /// <summary>Each step's expectations in order, read, checked and converted as it is asked for.</summary>
        public IEnumerable<StepExpectation> Read()
        {
            int k = 0;
            foreach (JsonElement step in input.Elements("expected"))
            {
                yield return reader.ReadStep(step, k, Header.Case, Header.Case.Layout);
                k++;
            }
        }
    }

    /// <summary>A string as JSON writes it, so that a newline or a control character in a message shows as its escape.</summary>
    internal static string Quoted(string text) => $"\"{JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";

    /// <summary>[a-z0-9-]+, the whole string: a regular expression's $ would also accept a final newline.</summary>
    private static bool IsName(string name) => name.Length > 0 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    private sealed class Reader
    {
        private DType dtype;

        /// <summary>Every top-level field but <c>expected</c>, whose count alone is checked here.</summary>
        public FixtureHeader ReadHeader(JsonInput input)
        {
            if (input.RootKind != JsonValueKind.Object)
            {
                throw new FixtureFormatException("$", $"expected an object, got {Describe(input.RootKind)}");
            }

            var documents = new List<JsonDocument>();
            JsonElement? Top(string field)
            {
                JsonDocument? document = input.Field(field);
                if (document is null)
                {
                    return null;
                }

                documents.Add(document);
                return document.RootElement.ValueKind == JsonValueKind.Null ? null : document.RootElement;
            }

            JsonElement RequiredTop(string field) => Top(field) ?? throw new FixtureFormatException(field, "required field is missing");

            try
            {
                string format = String(RequiredTop("format"), "format");
                if (format != Fixture.Format)
                {
                    throw new FixtureFormatException("format", $"expected \"{Fixture.Format}\", got \"{format}\"");
                }

                string name = String(RequiredTop("name"), "name");
                if (!IsName(name))
                {
                    throw new FixtureFormatException("name", $"{Quoted(name)} must match [a-z0-9-]+");
                }

                string dtypeName = String(RequiredTop("dtype"), "dtype");
                if (!DTypeNames.TryParse(dtypeName, out dtype))
                {
                    throw new FixtureFormatException("dtype", $"expected \"float32\" or \"float64\", got \"{dtypeName}\"");
                }

                Layout layout = ReadLayout(Top("layout"));
                NetworkSpec network = ReadNetwork(RequiredTop("network"), "network");
                OptimizerSpec? optimizer = Top("optimizer") is { } o ? ReadOptimizer(o, "optimizer", dtype) : null;

                IReadOnlyList<LayerParameters<double>> parameters = ReadParameters(RequiredTop("parameters"), "parameters", network, layout);

                JsonElement batchesJson = RequiredTop("batches");
                RequireKind(batchesJson, "batches", JsonValueKind.Array);
                if (batchesJson.GetArrayLength() == 0)
                {
                    throw new FixtureFormatException("batches", "at least one batch is required");
                }

                Batch<double>[] batches = batchesJson.EnumerateArray()
                    .Select((b, i) => ReadBatch(b, $"batches[{i}]", network, layout))
                    .ToArray();

                int steps = Top("steps") is { } s ? Integer(s, "steps") : 1;
                if (steps < 1)
                {
                    throw new FixtureFormatException("steps", $"must be at least 1, got {steps}");
                }

                CheckSize(network, batches, steps, layout);

                JsonValueKind? expectedKind = input.KindOf("expected");
                if (expectedKind is null or JsonValueKind.Null)
                {
                    throw new FixtureFormatException("expected", "required field is missing");
                }

                if (expectedKind != JsonValueKind.Array)
                {
                    throw new FixtureFormatException("expected", $"expected an array, got {Describe(expectedKind.Value)}");
                }

                int entries = input.Count("expected");
                if (entries != steps)
                {
                    throw new FixtureFormatException(
                        "expected", $"must hold one entry per step: {steps} step(s), but {entries} entries");
                }

                var trainingCase = new TrainingCase(network, parameters, batches, optimizer, steps) { Layout = layout };
                Tolerance? tolerance = Top("tolerance") is { } t ? ReadTolerance(t, "tolerance") : null;
                return new FixtureHeader(
                    name, dtype, trainingCase,
                    Description: Top("description") is { } d ? String(d, "description") : null,
                    Source: Top("source") is { } src ? String(src, "source") : null,
                    Generator: Top("generator") is { } g ? String(g, "generator") : null,
                    Tolerance: tolerance);
            }
            finally
            {
                documents.ForEach(d => d.Dispose());
            }
        }

        /// <summary>
        /// Refuses a case whose one step would hold more than <see cref="MaxStepNumbers"/> numbers,
        /// or whose steps together would take more than <see cref="MaxMultiplyAdds"/> multiply-adds.
        /// </summary>
        private static void CheckSize(NetworkSpec network, Batch<double>[] batches, int steps, Layout layout)
        {
            long parameterNumbers = 0, perSample = 0, productsPerSample = 0;
            for (int l = 1; l <= network.Layers.Count; l++)
            {
                long units = network.Layers[l - 1].Units, inputs = network.InputsOf(l);
                parameterNumbers += 2 * ((units * inputs) + units); // the parameters and their gradients
                perSample += 4 * units; // Z, A, ∂J/∂A, ∂J/∂Z
                productsPerSample += (l == 1 ? 2 : 3) * units * inputs; // Z, ∂J/∂W, and ∂J/∂A of the layer below
            }

            double work = 0;
            for (int b = 0; b < batches.Length; b++)
            {
                long samples = layout.SampleCount(batches[b].X);
                long numbers = parameterNumbers + (samples * perSample);
                if (numbers > MaxStepNumbers)
                {
                    throw new FixtureFormatException(
                        $"batches[{b}]", $"a step on this batch of {samples} samples holds {numbers} numbers (every layer's z, a, gradA, gradZ, weight, bias and gradients), more than the limit of {MaxStepNumbers}");
                }

                long uses = (steps / batches.Length) + (b < steps % batches.Length ? 1 : 0);
                work += (double)uses * samples * productsPerSample;
            }

            if (work > MaxMultiplyAdds)
            {
                throw new FixtureFormatException(
                    "steps", $"{steps} steps on these batches take {work:0.###E+0} multiply-adds, more than the limit of {MaxMultiplyAdds} ({MaxMultiplyAdds:0.###E+0}); use fewer steps or smaller batches");
            }
        }

        private static Layout ReadLayout(JsonElement? field)
        {
            if (field is not { } layout)
            {
                return Layout.RowsOutIn;
            }

            RequireKind(layout, "layout", JsonValueKind.Object);
            string samples = Optional(layout, "samples") is { } s ? String(s, "layout.samples") : "rows";
            string weights = Optional(layout, "weights") is { } w ? String(w, "layout.weights") : "out-in";
            if (samples is not ("rows" or "columns"))
            {
                throw new FixtureFormatException("layout.samples", $"expected \"rows\" or \"columns\", got \"{samples}\"");
            }

            if (weights is not ("out-in" or "in-out"))
            {
                throw new FixtureFormatException("layout.weights", $"expected \"out-in\" or \"in-out\", got \"{weights}\"");
            }

            return new Layout(samples == "columns" ? SampleAxis.Columns : SampleAxis.Rows, weights == "in-out" ? WeightOrder.InOut : WeightOrder.OutIn);
        }

        private NetworkSpec ReadNetwork(JsonElement network, string path)
        {
            RequireKind(network, path, JsonValueKind.Object);
            int inputs = Width(Required(network, path, "inputs"), $"{path}.inputs");
            JsonElement layersJson = Required(network, path, "layers");
            RequireKind(layersJson, $"{path}.layers", JsonValueKind.Array);
            if (layersJson.GetArrayLength() == 0)
            {
                throw new FixtureFormatException($"{path}.layers", "at least one layer is required");
            }

            var layers = layersJson.EnumerateArray().Select((layer, i) =>
            {
                string at = $"{path}.layers[{i}]";
                RequireKind(layer, at, JsonValueKind.Object);
                return new LayerSpec(
                    Width(Required(layer, at, "units"), $"{at}.units"),
                    ReadActivation(Required(layer, at, "activation"), $"{at}.activation"));
            }).ToArray();

            Loss loss = ReadLoss(Required(network, path, "loss"), $"{path}.loss");
            var spec = new NetworkSpec(inputs, layers, loss);
            for (int l = 1; l <= layers.Length; l++)
            {
                CheckElements(layers[l - 1].Units, spec.InputsOf(l), $"{path}.layers[{l - 1}]", "weight");
            }

            return spec;
        }

        /// <summary>A bare name, or an object with a name and any of the kind's settings (the rest default).</summary>
        private static Activation ReadActivation(JsonElement activation, string path)
        {
            if (activation.ValueKind != JsonValueKind.Object)
            {
                return Create(Find(Vocabulary.Activations, String(activation, path), path, "activation"), null, path);
            }

            string name = String(Required(activation, path, "name"), $"{path}.name");
            return Create(Find(Vocabulary.Activations, name, $"{path}.name", "activation"), activation, path);
        }

        private static Loss ReadLoss(JsonElement loss, string path)
        {
            RequireKind(loss, path, JsonValueKind.Object);
            string name = String(Required(loss, path, "name"), $"{path}.name");
            return Create(Find(Vocabulary.Losses, name, $"{path}.name", "loss"), loss, path);
        }

        private static OptimizerSpec ReadOptimizer(JsonElement optimizer, string path, DType dtype)
        {
            RequireKind(optimizer, path, JsonValueKind.Object);
            string name = String(Required(optimizer, path, "name"), $"{path}.name");
            OptimizerSpec spec = Create(Find(Vocabulary.Optimizers, name, $"{path}.name", "optimizer"), optimizer, path);
            try
            {
                spec.Validate(dtype);
            }
            catch (ArgumentException e)
            {
                throw new FixtureFormatException(path, e.Message);
            }

            return spec;
        }

        private static Kind<T> Find<T>(IReadOnlyList<Kind<T>> kinds, string name, string path, string what)
            where T : class, IVocabularyItem
            => kinds.FirstOrDefault(k => k.Name == name)
               ?? throw new FixtureFormatException(path, $"unknown {what} \"{name}\"; {Fixture.Format} knows {string.Join(", ", kinds.Select(k => k.Name))}");

        /// <summary>The kind with each setting <paramref name="json"/> gives (of its default's type) and the defaults for the rest.</summary>
        private static T Create<T>(Kind<T> kind, JsonElement? json, string path)
            where T : class, IVocabularyItem
        {
            var given = new Dictionary<string, object>();
            foreach (Setting setting in kind.Defaults)
            {
                if (json is { } o && Optional(o, setting.Name) is { } v)
                {
                    string at = $"{path}.{setting.Name}";
                    given[setting.Name] = setting.Value switch
                    {
                        double => FiniteDouble(v, at),
                        bool => Boolean(v, at),
                        string => String(v, at),
                        _ => Pair(v, at),
                    };
                }
            }

            try
            {
                return kind.Create(given);
            }
            catch (SettingException e)
            {
                throw new FixtureFormatException($"{path}.{e.Setting}", e.Message);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new FixtureFormatException(path, e.Message);
            }
        }

        private static double[] Pair(JsonElement value, string path)
        {
            RequireKind(value, path, JsonValueKind.Array);
            if (value.GetArrayLength() != 2)
            {
                throw new FixtureFormatException(path, $"expected two numbers, got {value.GetArrayLength()}");
            }

            return [FiniteDouble(value[0], $"{path}[0]"), FiniteDouble(value[1], $"{path}[1]")];
        }

        private IReadOnlyList<LayerParameters<double>> ReadParameters(
            JsonElement json, string path, NetworkSpec network, Layout layout)
        {
            RequireKind(json, path, JsonValueKind.Array);
            if (json.GetArrayLength() != network.Layers.Count)
            {
                throw new FixtureFormatException(
                    path, $"expected one entry per layer, {network.Layers.Count}, got {json.GetArrayLength()}");
            }

            return json.EnumerateArray().Select((p, i) =>
            {
                string at = $"{path}[{i}]";
                RequireKind(p, at, JsonValueKind.Object);
                int units = network.Layers[i].Units, inputs = network.InputsOf(i + 1);
                return new LayerParameters<double>(
                    ReadMatrix(Required(p, at, "weight"), $"{at}.weight", layout.WeightShape(units, inputs)),
                    ReadVector(Required(p, at, "bias"), $"{at}.bias", units));
            }).ToArray();
        }

        private Batch<double> ReadBatch(JsonElement batch, string path, NetworkSpec network, Layout layout)
        {
            RequireKind(batch, path, JsonValueKind.Object);
            JsonElement xJson = Required(batch, path, "x");
            int n = SampleCount(xJson, $"{path}.x", layout);
            CheckElements(n, Math.Max(network.Inputs, network.Layers.Max(l => l.Units)), $"{path}.x", "batch's widest matrix");
            Matrix<double> x = ReadMatrix(xJson, $"{path}.x", layout.SampleShape(n, network.Inputs));
            JsonElement yJson = Required(batch, path, "y");
            RequireKind(yJson, $"{path}.y", JsonValueKind.Array);
            if (yJson.GetArrayLength() > 0 && yJson[0].ValueKind != JsonValueKind.Array)
            {
                return new Batch<double>(x, ReadClassIndices(yJson, $"{path}.y", n, network), TargetKind.ClassIndices);
            }

            Matrix<double> y = ReadMatrix(yJson, $"{path}.y", layout.SampleShape(n, network.Layers[^1].Units));
            return new Batch<double>(x, y, TargetKind.Values);
        }

        /// <summary>A 1-D array of class indices: whole numbers in [0, classes), one per sample, for cross_entropy only.</summary>
        private static Matrix<double> ReadClassIndices(JsonElement y, string path, int samples, NetworkSpec network)
        {
            if (!network.Loss.AcceptsClassIndices)
            {
                throw new FixtureFormatException(path, $"a 1-D array of class indices is only for cross_entropy; {network.Loss.Name} takes a matrix shaped like the output");
            }

            if (y.GetArrayLength() != samples)
            {
                throw new FixtureFormatException(path, $"expected one class index per sample, {samples}, got {y.GetArrayLength()}");
            }

            int classes = network.Layers[^1].Units;
            var indices = new Matrix<double>(samples, 1);
            for (int i = 0; i < samples; i++)
            {
                JsonElement v = y[i];
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int index))
                {
                    throw new FixtureFormatException($"{path}[{i}]", $"expected a whole-number class index, got {(v.ValueKind == JsonValueKind.Number ? v.GetRawText() : Describe(v.ValueKind))}");
                }

                if (index < 0 || index >= classes)
                {
                    throw new FixtureFormatException($"{path}[{i}]", $"class index {index} is outside [0, {classes}), the output's {classes} classes");
                }

                indices[i, 0] = index;
            }

            return indices;
        }

        public StepExpectation ReadStep(JsonElement step, int k, TrainingCase trainingCase, Layout layout)
        {
            string path = $"expected[{k}]";
            RequireKind(step, path, JsonValueKind.Object);
            double cost = Number(Required(step, path, "cost"), $"{path}.cost");
            NetworkSpec network = trainingCase.Network;
            int n = layout.SampleCount(trainingCase.BatchOfStep(k).X);

            LayerExpectation[]? layers = null;
            if (Optional(step, "layers") is { } layersJson)
            {
                RequireKind(layersJson, $"{path}.layers", JsonValueKind.Array);
                if (layersJson.GetArrayLength() != network.Layers.Count)
                {
                    throw new FixtureFormatException(
                        $"{path}.layers", $"expected one entry per layer, {network.Layers.Count}, got {layersJson.GetArrayLength()}");
                }

                layers = layersJson.EnumerateArray().Select((layer, i) =>
                {
                    string at = $"{path}.layers[{i}]";
                    RequireKind(layer, at, JsonValueKind.Object);
                    int units = network.Layers[i].Units, inputs = network.InputsOf(i + 1);
                    Matrix<double>? PerSample(string field) => Optional(layer, field) is { } m
                        ? ReadMatrix(m, $"{at}.{field}", layout.SampleShape(n, units))
                        : null;
                    return new LayerExpectation(
                        PerSample("z"), PerSample("a"), PerSample("gradA"), PerSample("gradZ"),
                        Optional(layer, "gradWeight") is { } gw
                            ? ReadMatrix(gw, $"{at}.gradWeight", layout.WeightShape(units, inputs))
                            : null,
                        Optional(layer, "gradBias") is { } gb ? ReadVector(gb, $"{at}.gradBias", units) : null);
                }).ToArray();
            }

            IReadOnlyList<LayerParameters<double>>? parameters = null;
            if (Optional(step, "parameters") is { } p)
            {
                if (trainingCase.Optimizer is null)
                {
                    throw new FixtureFormatException($"{path}.parameters", "the fixture has no optimizer, so there is no update to compare with");
                }

                parameters = ReadParameters(p, $"{path}.parameters", network, layout);
            }
            else if (trainingCase.Optimizer is not null)
            {
                throw new FixtureFormatException(path, "\"parameters\" is required when the fixture has an optimizer");
            }

            return new StepExpectation(cost, layers, parameters);
        }

        private static Tolerance ReadTolerance(JsonElement tolerance, string path)
        {
            RequireKind(tolerance, path, JsonValueKind.Object);
            double rtol = FiniteDouble(Required(tolerance, path, "rtol"), $"{path}.rtol");
            double atol = FiniteDouble(Required(tolerance, path, "atol"), $"{path}.atol");
            try
            {
                return new Tolerance(rtol, atol);
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new FixtureFormatException(path, $"rtol and atol must not be negative, got {rtol} and {atol}");
            }
        }

        private static int SampleCount(JsonElement x, string path, Layout layout)
        {
            RequireKind(x, path, JsonValueKind.Array);
            int rows = x.GetArrayLength();
            if (rows == 0)
            {
                throw new FixtureFormatException(path, "a batch must hold at least one sample");
            }

            if (!layout.SamplesInColumns)
            {
                return CheckWidth(rows, path, "samples");
            }

            JsonElement first = x[0];
            RequireKind(first, $"{path}[0]", JsonValueKind.Array);
            return CheckWidth(first.GetArrayLength(), path, "samples");
        }

        /// <summary>Reads an array of rows that must be exactly rows×cols, in one pass (indexing a JsonElement array by position is linear).</summary>
        private Matrix<double> ReadMatrix(JsonElement json, string path, (int Rows, int Cols) shape)
        {
            RequireKind(json, path, JsonValueKind.Array);
            int rows = json.GetArrayLength(), cols = -1, r = 0;
            foreach (JsonElement row in json.EnumerateArray())
            {
                RequireKind(row, $"{path}[{r}]", JsonValueKind.Array);
                if (cols >= 0 && row.GetArrayLength() != cols)
                {
                    throw new FixtureFormatException(
                        $"{path}[{r}]", $"ragged matrix: row {r} has {row.GetArrayLength()} elements, row 0 has {cols}");
                }

                cols = row.GetArrayLength();
                r++;
            }

            if (rows != shape.Rows || cols != shape.Cols)
            {
                throw new FixtureFormatException(path, $"expected {shape.Rows}×{shape.Cols}, got {rows}×{Math.Max(cols, 0)}");
            }

            var m = new Matrix<double>(rows, cols);
            r = 0;
            foreach (JsonElement row in json.EnumerateArray())
            {
                int c = 0;
                foreach (JsonElement value in row.EnumerateArray())
                {
                    m[r, c] = FixtureReader.Number(value, dtype, path, r, c);
                    c++;
                }

                r++;
            }

            return m;
        }

        private double[] ReadVector(JsonElement json, string path, int length)
        {
            RequireKind(json, path, JsonValueKind.Array);
            if (json.GetArrayLength() != length)
            {
                throw new FixtureFormatException(path, $"expected {length} elements, got {json.GetArrayLength()}");
            }

            return json.EnumerateArray().Select((v, i) => FixtureReader.Number(v, dtype, path, i, -1)).ToArray();
        }

        private double Number(JsonElement value, string path) => FixtureReader.Number(value, path, dtype);
    }

    /// <summary>
    /// A number in the fixture's dtype: parsed straight from its text as float or double (no
    /// double rounding), or one of "NaN", "Infinity", "-Infinity". A finite literal too large
    /// for the dtype is an error, not a silent infinity.
    /// </summary>
    internal static double Number(JsonElement value, string path, DType dtype) => Number(value, dtype, path, -1, -1);

    /// <summary>
    /// The element at [<paramref name="row"/>][<paramref name="col"/>] of the array at
    /// <paramref name="path"/> (−1: no index), whose path is formatted only for a refusal.
    /// </summary>
    internal static double Number(JsonElement value, DType dtype, string path, int row, int col)
    {
        string At() => row < 0 ? path : col < 0 ? $"{path}[{row}]" : $"{path}[{row}][{col}]";
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                var other => throw new FixtureFormatException(
                    At(), $"expected a number or one of \"NaN\", \"Infinity\", \"-Infinity\", got the string \"{other}\""),
            };
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            RequireKind(value, At(), JsonValueKind.Number);
        }

        // Parsed from the UTF-8 text in place: results files hold hundreds of thousands of numbers.
        ReadOnlySpan<byte> text = JsonMarshal.GetRawUtf8Value(value);
        double parsed = dtype == DType.Float32
            ? float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(parsed))
        {
            throw new FixtureFormatException(
                At(), $"{value.GetRawText()} is beyond the range of {dtype.ToName()}; write \"Infinity\" or \"-Infinity\" if that is meant");
        }

        return parsed;
    }

    internal static JsonElement Required(JsonElement obj, string path, string field)
        => obj.TryGetProperty(field, out JsonElement value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new FixtureFormatException(path.Length == 0 ? field : $"{path}.{field}", "required field is missing");

    internal static JsonElement? Optional(JsonElement obj, string field)
        => obj.TryGetProperty(field, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    internal static void RequireKind(JsonElement value, string path, JsonValueKind kind)
    {
        if (value.ValueKind != kind)
        {
            throw new FixtureFormatException(path.Length == 0 ? "$" : path, $"expected {Describe(kind)}, got {Describe(value.ValueKind)}");
        }
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    internal static string String(JsonElement value, string path)
    {
        RequireKind(value, path, JsonValueKind.String);
        return value.GetString()!;
    }

    private static bool Boolean(JsonElement value, string path)
        => value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new FixtureFormatException(path, $"expected a boolean, got {Describe(value.ValueKind)}"),
        };

    internal static int Integer(JsonElement value, string path)
    {
        RequireKind(value, path, JsonValueKind.Number);
        return value.TryGetInt32(out int i)
            ? i
            : throw new FixtureFormatException(path, $"expected an integer, got {value.GetRawText()}");
    }

    private static int Width(JsonElement value, string path)
    {
        int width = Integer(value, path);
        return width < 1 ? throw new FixtureFormatException(path, $"must be at least 1, got {width}") : CheckWidth(width, path, "units");
    }

    private static int CheckWidth(int width, string path, string what)
        => width > MaxWidth
            ? throw new FixtureFormatException(path, $"{width} {what} is more than the limit of {MaxWidth}")
            : width;

    internal static double FiniteDouble(JsonElement value, string path)
    {
        RequireKind(value, path, JsonValueKind.Number);

        // A literal beyond double's range (1e400) reads as ±∞ here and is refused as non-finite.
        return value.TryGetDouble(out double d) && double.IsFinite(d)
            ? d
            : throw new FixtureFormatException(path, $"expected a finite number, got {value.GetRawText()}");
    }

    private static void CheckElements(long rows, long cols, string path, string what)
    {
        if (rows * cols > MaxElements)
        {
            throw new FixtureFormatException(
                path, $"a {rows}×{cols} {what} has {rows * cols} elements, more than the limit of {MaxElements}");
        }
    }
}
