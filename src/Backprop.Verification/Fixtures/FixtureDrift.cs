using System.Globalization;
using System.Text.Json;
using Backprop.Verification;

namespace Backprop.Verification;

/// <summary>How a regenerated fixture relates to the committed one. Thread-safe: a value.</summary>
public enum DriftKind
{
    /// <summary>The same bytes.</summary>
    Identical,

    /// <summary>
    /// Everything but some expected numbers is the same, and each of those is within the committed
    /// file's tolerance of its committed value: the last bits libtorch gives on another CPU.
    /// </summary>
    Rounding,

    /// <summary>Something differs by more than rounding: an input, the structure, or a value past the tolerance.</summary>
    Drifted,
}

/// <summary>
/// A regenerated fixture compared with the committed one, number by number. <see cref="Numbers"/>
/// counts the numbers under <c>expected</c>; <see cref="Differing"/> those whose bits differ, the
/// largest distance in units in the last place of the dtype (<see cref="MaxUlps"/>, at
/// <see cref="MaxUlpsPath"/>), and the largest difference as a share of what the tolerance allows
/// there (<see cref="WorstShare"/>, at <see cref="WorstPath"/>). <see cref="Broken"/> says what
/// broke the bound, when something did.
/// Thread-safe: immutable.
/// </summary>
public sealed record FixtureDriftReport(
    Tolerance Tolerance,
    int Numbers,
    int Differing,
    long MaxUlps,
    string? MaxUlpsPath,
    double WorstShare,
    string? WorstPath,
    string? Broken)
{
    public DriftKind Kind => Broken is not null ? DriftKind.Drifted : Differing == 0 ? DriftKind.Identical : DriftKind.Rounding;

    /// <summary>One line: what differs and by how much, or what broke the bound.</summary>
    public string Describe() => Kind switch
    {
        DriftKind.Identical => $"all {Numbers} expected numbers bit-identical",
        DriftKind.Rounding =>
            $"{Differing} of {Numbers} expected numbers differ, by at most {MaxUlps} ulp{(MaxUlps == 1 ? "" : "s")} ({MaxUlpsPath}); " +
            $"all within the file's tolerance ({Tolerance}), the largest difference {(WorstShare * 100).ToString("G2", CultureInfo.InvariantCulture)}% of its allowance ({WorstPath})",
        _ => Broken!,
    };
}

/// <summary>
/// Tells rounding from a change of meaning between the committed text of a fixture and what the
/// generator writes now. libtorch's last bits depend on the CPU (it picks MKL's code path and
/// ATen's vector kernels by CPU), so a file regenerated on another machine may differ in the last
/// bits of its expectations. That is rounding, and accepted, when everything outside
/// <c>expected</c> (the case: network, parameters, batches, optimizer, the generator's versions)
/// is byte for byte the same, the structure of <c>expected</c> is the same, non-finite values are
/// the same strings, and every number is within the committed file's own tolerance of its
/// committed value, the bound every checker applies to it. Anything else has drifted.
/// Thread-safe: it holds no state.
/// </summary>
public static class FixtureDrift
{
    /// <summary>
    /// Compares <paramref name="regenerated"/> with <paramref name="committed"/>. The committed
    /// text must be a valid fixture (else <see cref="FixtureFormatException"/>); it gives the
    /// dtype and the tolerance.
    /// </summary>
    public static FixtureDriftReport Compare(string committed, string regenerated)
    {
        ArgumentNullException.ThrowIfNull(committed);
        ArgumentNullException.ThrowIfNull(regenerated);
        Fixture fixture = FixtureReader.Parse(committed);
        var walk = new Walk(fixture.DType, fixture.EffectiveTolerance);
        if (committed == regenerated)
        {
            using JsonDocument same = JsonDocument.Parse(committed);
            walk.CountNumbers(same.RootElement.GetProperty("expected"));
            return walk.Report(null);
        }

        JsonDocument regeneratedDocument;
        try
        {
            regeneratedDocument = JsonDocument.Parse(regenerated, new JsonDocumentOptions { MaxDepth = FixtureReader.MaxDepth });
        }
        catch (JsonException e)
        {
            return walk.Report($"the regenerated text is not valid JSON: {e.Message}");
        }

        using (regeneratedDocument)
        using (JsonDocument committedDocument = JsonDocument.Parse(committed))
        {
            return walk.Report(walk.Case(committedDocument.RootElement, regeneratedDocument.RootElement));
        }
    }

    /// <summary>
    /// The distance between two values of the dtype in units in the last place: how many
    /// representable values lie between them, plus one (0 for the same value; ±0 are 0 apart).
    /// </summary>
    public static long Ulps(double a, double b, DType dtype)
    {
        Int128 d = dtype == DType.Float32 ? Ordered((float)a) - Ordered((float)b) : Ordered(a) - Ordered(b);
        d = Int128.Abs(d);
        return d > long.MaxValue ? long.MaxValue : (long)d;
    }

    // Floats in the order of their bit patterns read as sign and magnitude: adjacent values are 1 apart.
    private static Int128 Ordered(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        return bits >= 0 ? bits : -(Int128)(bits & int.MaxValue);
    }

    private static Int128 Ordered(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        return bits >= 0 ? bits : -(Int128)(bits & long.MaxValue);
    }

    private sealed class Walk(DType dtype, Tolerance tolerance)
    {
        private int numbers;
        private int differing;
        private long maxUlps;
        private string? maxUlpsPath;
        private double worstShare;
        private string? worstPath;

        public FixtureDriftReport Report(string? broken)
            => new(tolerance, numbers, differing, maxUlps, maxUlpsPath, worstShare, worstPath, broken);

        public void CountNumbers(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty p in e.EnumerateObject()) CountNumbers(p.Value);
                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in e.EnumerateArray()) CountNumbers(item);
                    break;
                case JsonValueKind.Number:
                case JsonValueKind.String:
                    numbers++;
                    break;
            }
        }

        /// <summary>The first thing that breaks the bound, or null.</summary>
        public string? Case(JsonElement committed, JsonElement regenerated)
        {
            if (regenerated.ValueKind != JsonValueKind.Object)
            {
                return "the regenerated text is not a JSON object";
            }

            string[] committedFields = committed.EnumerateObject().Select(p => p.Name).ToArray();
            string[] regeneratedFields = regenerated.EnumerateObject().Select(p => p.Name).ToArray();
            if (!committedFields.SequenceEqual(regeneratedFields))
            {
                return $"the fields differ: committed {string.Join(", ", committedFields)}; regenerated {string.Join(", ", regeneratedFields)}";
            }

            foreach (JsonProperty field in committed.EnumerateObject())
            {
                JsonElement other = regenerated.GetProperty(field.Name);
                if (field.Name == "expected")
                {
                    continue;
                }

                if (field.Value.GetRawText() != other.GetRawText())
                {
                    return $"{field.Name}: differs, and only expected numbers may differ by rounding: " +
                           $"committed {Clip(field.Value.GetRawText())}, regenerated {Clip(other.GetRawText())}";
                }
            }

            return Value("expected", committed.GetProperty("expected"), regenerated.GetProperty("expected"));
        }

        private string? Value(string path, JsonElement c, JsonElement r)
        {
            if (c.ValueKind != r.ValueKind)
            {
                return $"{path}: committed {Clip(c.GetRawText())}, regenerated {Clip(r.GetRawText())}";
            }

            switch (c.ValueKind)
            {
                case JsonValueKind.Object:
                {
                    string[] cf = c.EnumerateObject().Select(p => p.Name).ToArray(), rf = r.EnumerateObject().Select(p => p.Name).ToArray();
                    if (!cf.SequenceEqual(rf))
                    {
                        return $"{path}: committed has {string.Join(", ", cf)}; regenerated has {string.Join(", ", rf)}";
                    }

                    foreach (JsonProperty p in c.EnumerateObject())
                    {
                        if (Value($"{path}.{p.Name}", p.Value, r.GetProperty(p.Name)) is { } broken) return broken;
                    }

                    return null;
                }

                case JsonValueKind.Array:
                {
                    int n = c.GetArrayLength();
                    if (r.GetArrayLength() != n)
                    {
                        return $"{path}: committed has {n} elements, regenerated {r.GetArrayLength()}";
                    }

                    int i = 0;
                    using var re = r.EnumerateArray().GetEnumerator();
                    foreach (JsonElement item in c.EnumerateArray())
                    {
                        re.MoveNext();
                        if (Value($"{path}[{i++}]", item, re.Current) is { } broken) return broken;
                    }

                    return null;
                }

                case JsonValueKind.Number:
                    return Number(path, c, r);

                case JsonValueKind.String:
                    // "NaN", "Infinity", "-Infinity": a non-finite value is only ever itself.
                    numbers++;
                    return c.GetString() == r.GetString() ? null : $"{path}: committed {c.GetRawText()}, regenerated {r.GetRawText()}";

                default:
                    return c.GetRawText() == r.GetRawText() ? null : $"{path}: committed {Clip(c.GetRawText())}, regenerated {Clip(r.GetRawText())}";
            }
        }

        private string? Number(string path, JsonElement c, JsonElement r)
        {
            numbers++;
            double expected = c.GetDouble(), actual = r.GetDouble();
            if (dtype == DType.Float32)
            {
                (expected, actual) = ((float)expected, (float)actual);
            }

            if (BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual))
            {
                return null;
            }

            differing++;
            long ulps = Ulps(actual, expected, dtype);
            if (ulps > maxUlps || maxUlpsPath is null)
            {
                (maxUlps, maxUlpsPath) = (ulps, path);
            }

            double distance = Tolerance.Distance(actual, expected), allowed = tolerance.Allowed(expected);
            if (!(distance <= allowed))
            {
                return $"{path}: committed {c.GetRawText()}, regenerated {r.GetRawText()}: |Δ| {G(distance)} is past the file's tolerance " +
                       $"({tolerance}, allowed {G(allowed)}) by {G(distance - allowed)} ({ulps} ulps)";
            }

            double share = allowed > 0 ? distance / allowed : 0;
            if (share > worstShare || worstPath is null)
            {
                (worstShare, worstPath) = (share, path);
            }

            return null;
        }

        private static string G(double x) => x.ToString("G3", CultureInfo.InvariantCulture);

        private static string Clip(string text) => text.Length <= 80 ? text : text[..77] + "...";
    }
}
