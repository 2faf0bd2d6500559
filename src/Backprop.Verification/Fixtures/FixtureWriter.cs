using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Verification;

/// <summary>
/// Writes a <see cref="Fixture"/> as <c>backprop-fixture/1</c> JSON, byte for byte the same for
/// the same fixture: fixed field order, two-space indent, LF line ends, each matrix row on one
/// line, and every number in the shortest form that reads back to the same value of the
/// fixture's dtype ("NaN", "Infinity", "-Infinity" as strings).
/// Thread-safe: it holds no state.
/// </summary>
public static class FixtureWriter
{
    public static string Write(Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var w = new Writer(fixture.DType);
        Layout layout = fixture.Case.Layout;
        TrainingCase c = fixture.Case;
        NetworkSpec network = c.Network;

        w.Open("{");
        w.Field("format", Json(Fixture.Format));
        w.Field("name", Json(fixture.Name));
        if (fixture.Description is { } description) w.Field("description", Json(description));
        if (fixture.Source is { } source) w.Field("source", Json(source));
        if (fixture.Generator is { } generator) w.Field("generator", Json(generator));
        w.Field("dtype", Json(fixture.DType.ToName()));
        w.Field("layout", $"{{ \"samples\": {Json(layout.SamplesName)}, \"weights\": {Json(layout.WeightsName)} }}");

        w.OpenField("network", "{");
        w.Field("inputs", Int(network.Inputs));
        w.OpenField("layers", "[");
        foreach (LayerSpec layer in network.Layers)
        {
            w.Item($"{{ \"units\": {Int(layer.Units)}, \"activation\": {Activation(layer.Activation)} }}");
        }

        w.Close("]");
        w.Field("loss", Loss(network.Loss));
        w.Close("}");

        if (c.Optimizer is { } optimizer) w.Field("optimizer", Optimizer(optimizer));

        w.OpenField("parameters", "[");
        foreach (LayerParameters<double> p in c.Parameters) Parameters(w, p);
        w.Close("]");

        w.OpenField("batches", "[");
        foreach (Batch<double> batch in c.Batches)
        {
            w.Open("{");
            w.Field("x", w.Matrix(batch.X));
            w.Field("y", batch.ClassIndices ? $"[{string.Join(", ", batch.Y.Data.Select(i => Int((int)i)))}]" : w.Matrix(batch.Y));
            w.Close("}");
        }

        w.Close("]");
        w.Field("steps", Int(c.Steps));

        w.OpenField("expected", "[");
        foreach (StepExpectation step in fixture.Expected)
        {
            w.Open("{");
            w.Field("cost", w.Number(step.Cost));
            if (step.Layers is { } layers)
            {
                w.OpenField("layers", "[");
                foreach (LayerExpectation layer in layers)
                {
                    w.Open("{");
                    if (layer.Z is { } z) w.Field("z", w.Matrix(z));
                    if (layer.A is { } a) w.Field("a", w.Matrix(a));
                    if (layer.GradA is { } gradA) w.Field("gradA", w.Matrix(gradA));
                    if (layer.GradZ is { } gradZ) w.Field("gradZ", w.Matrix(gradZ));
                    if (layer.GradWeight is { } gradW) w.Field("gradWeight", w.Matrix(gradW));
                    if (layer.GradBias is { } gradB) w.Field("gradBias", w.Vector(gradB));
                    w.Close("}");
                }

                w.Close("]");
            }

            if (step.Parameters is { } parameters)
            {
                w.OpenField("parameters", "[");
                foreach (LayerParameters<double> p in parameters) Parameters(w, p);
                w.Close("]");
            }

            w.Close("}");
        }

        w.Close("]");
        if (fixture.Tolerance is { } t) w.Field("tolerance", $"{{ \"rtol\": {Double(t.Rtol)}, \"atol\": {Double(t.Atol)} }}");
        w.Close("}");
        return w.ToString();
    }

    private static void Parameters(Writer w, LayerParameters<double> p)
    {
        w.Open("{");
        w.Field("weight", w.Matrix(p.Weight));
        w.Field("bias", w.Vector(p.Bias));
        w.Close("}");
    }

    /// <summary>A bare name when the activation has no settings, else an object with every setting spelled out.</summary>
    private static string Activation(Activation activation)
        => activation.Settings.Count == 0 ? Json(activation.Name) : Object(activation.Name, activation.Settings);

    /// <summary>The name and reduction, then each other setting that differs from the kind's default (a scale of 1 is not written).</summary>
    private static string Loss(Loss loss)
    {
        IReadOnlyList<Setting> defaults = Vocabulary.KindOf(loss).Defaults;
        return Object(loss.Name, loss.Settings.Where((s, i) => s.Name == "reduction" || !s.SameValue(defaults[i])));
    }

    /// <summary>Every argument of the torch.optim constructor, so the file needs no defaults to be read.</summary>
    private static string Optimizer(OptimizerSpec optimizer) => Object(optimizer.Name, optimizer.Settings);

    private static string Object(string name, IEnumerable<Setting> settings)
        => $"{{ \"name\": {Json(name)}{string.Concat(settings.Select(s => $", {Json(s.Name)}: {Value(s.Value)}"))} }}";

    private static string Value(object value) => value switch
    {
        double d => Double(d),
        bool b => b ? "true" : "false",
        string s => Json(s),
        double[] pair => $"[{string.Join(", ", pair.Select(Double))}]",
        _ => throw new NotSupportedException($"a setting of type {value.GetType().Name}"),
    };

    /// <summary>Escapes only what JSON requires, so descriptions stay readable.</summary>
    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Json(string s) => JsonSerializer.Serialize(s, StringOptions);

    private static string Int(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>A setting (lr, rtol, …): always double, whatever the dtype. .NET's default format is the shortest round-trip form.</summary>
    private static string Double(double d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>Builds the text: a stack of open brackets, with commas put in as items follow each other.</summary>
    private sealed class Writer(DType dtype)
    {
        private readonly StringBuilder text = new();
        private readonly Stack<bool> hasItems = new();

        public string Number(double value)
        {
            if (double.IsNaN(value)) return "\"NaN\"";
            if (double.IsPositiveInfinity(value)) return "\"Infinity\"";
            if (double.IsNegativeInfinity(value)) return "\"-Infinity\"";
            return dtype == DType.Float32
                ? ((float)value).ToString(CultureInfo.InvariantCulture)
                : value.ToString(CultureInfo.InvariantCulture);
        }

        public string Vector(IEnumerable<double> values) => $"[{string.Join(", ", values.Select(Number))}]";

        /// <summary>A matrix on one line when short, else one row per line.</summary>
        public string Matrix(Matrix<double> m)
        {
            string[] rows = Enumerable.Range(0, m.Rows).Select(r => Vector(m.Row(r).ToArray())).ToArray();
            string oneLine = $"[{string.Join(", ", rows)}]";
            if (oneLine.Length <= 100 || m.Rows == 1)
            {
                return oneLine;
            }

            string indent = new(' ', 2 * (hasItems.Count + 1));
            return $"[\n{indent}{string.Join($",\n{indent}", rows)}\n{new string(' ', 2 * hasItems.Count)}]";
        }

        public void Open(string bracket)
        {
            BeginItem();
            text.Append(bracket);
            hasItems.Push(false);
        }

        public void OpenField(string name, string bracket)
        {
            BeginItem();
            text.Append(Json(name)).Append(": ").Append(bracket);
            hasItems.Push(false);
        }

        public void Field(string name, string value)
        {
            BeginItem();
            text.Append(Json(name)).Append(": ").Append(value);
        }

        public void Item(string value)
        {
            BeginItem();
            text.Append(value);
        }

        public void Close(string bracket)
        {
            hasItems.Pop();
            text.Append('\n').Append(' ', 2 * hasItems.Count).Append(bracket);
            if (hasItems.Count == 0)
            {
                text.Append('\n');
            }
        }

        public override string ToString() => text.ToString();

        private void BeginItem()
        {
            if (hasItems.Count == 0)
            {
                return;
            }

            if (hasItems.Peek())
            {
                text.Append(',');
            }

            text.Append('\n').Append(' ', 2 * hasItems.Count);
            hasItems.Pop();
            hasItems.Push(true);
        }
    }
}
