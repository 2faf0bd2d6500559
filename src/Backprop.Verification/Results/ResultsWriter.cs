using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Backprop.Verification;

/// <summary>Writes <c>backprop-results/1</c> on one line: numbers in the shortest form that reads back to the same value of the dtype. Thread-safe: it holds no state.</summary>
public static class ResultsWriter
{
    public static string Write(Results results, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(results);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            void Number(double x)
            {
                if (double.IsFinite(x))
                {
                    w.WriteRawValue(dtype == DType.Float32
                        ? ((float)x).ToString(CultureInfo.InvariantCulture)
                        : x.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    w.WriteStringValue(double.IsNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
                }
            }

            void Vector(string name, double[] v)
            {
                w.WriteStartArray(name);
                foreach (double x in v) Number(x);
                w.WriteEndArray();
            }

            void Matrix(string name, Matrix<double>? m)
            {
                if (m is null) return;
                w.WriteStartArray(name);
                for (int r = 0; r < m.Rows; r++)
                {
                    w.WriteStartArray();
                    foreach (double x in m.Row(r)) Number(x);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }

            w.WriteStartObject();
            w.WriteString("format", Results.Format);
            w.WriteString("name", results.Name);
            w.WriteStartArray("steps");
            foreach (StepExpectation step in results.Steps)
            {
                w.WriteStartObject();
                w.WritePropertyName("cost");
                Number(step.Cost);
                w.WriteStartArray("layers");
                foreach (LayerExpectation layer in step.Layers ?? [])
                {
                    w.WriteStartObject();
                    Matrix("z", layer.Z);
                    Matrix("a", layer.A);
                    Matrix("gradA", layer.GradA);
                    Matrix("gradZ", layer.GradZ);
                    Matrix("gradWeight", layer.GradWeight);
                    if (layer.GradBias is { } gb) Vector("gradBias", gb);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                if (step.Parameters is { } parameters)
                {
                    w.WriteStartArray("parameters");
                    foreach (LayerParameters<double> p in parameters)
                    {
                        w.WriteStartObject();
                        Matrix("weight", p.Weight);
                        Vector("bias", p.Bias);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
