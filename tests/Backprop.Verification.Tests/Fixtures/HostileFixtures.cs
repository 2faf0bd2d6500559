using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>What a hostile variant must end in.</summary>
public enum Expect
{
    /// <summary>The same exit as the original file: the change keeps the meaning (a UTF-8 BOM, other key order, unknown fields).</summary>
    Same,

    /// <summary>Exit 2 with a message: the file breaks the contract. Never 1, never 0.</summary>
    Invalid,

    /// <summary>Exit 1: a valid file whose expectations the core does not meet.</summary>
    Mismatch,

    /// <summary>Exit 0, 1 or 2 (with a message for 2): a random change whose meaning is not known in advance.</summary>
    Any,
}

/// <summary>One hostile variant of a file: its family, what was done, its bytes, and the outcome it must have.</summary>
public sealed record Hostile(string Family, string Name, byte[] Bytes, Expect Expect, string? MessageContains = null)
{
    public override string ToString() => $"{Family}: {Name}";
}

/// <summary>
/// The hostile-input generator: variants of a valid <c>backprop-fixture/1</c> or
/// <c>backprop-results/1</c> file, by family, each with the outcome it must have.
/// <list type="bullet">
/// <item>encodings: UTF-8 BOM (same), UTF-16 and UTF-32 with and without a BOM, invalid, overlong,
/// truncated and out-of-range UTF-8, encoded and escaped lone surrogates (invalid), a valid pair (same);</item>
/// <item>structure: trailing data, comments, trailing commas, empty and scalar documents, repeated
/// fields (invalid); re-indented, keys shuffled in every object, unknown fields added (same);</item>
/// <item>nesting: one level under the limit (same), at the limit and ten thousand deep (invalid);</item>
/// <item>types: every field and the first element of every array swapped for another JSON kind (invalid);</item>
/// <item>numbers: beyond double's range, JSON's forbidden forms (invalid), and odd valid literals (any);</item>
/// <item>sizes (fixtures): widths, counts and steps at and past their limits, arrays one short or long (invalid);</item>
/// <item>mismatches (fixtures): a changed cost, gradient or updated parameter of the last step (mismatch);</item>
/// <item>truncations at every tenth of the file (invalid), and seeded random mutations (any).</item>
/// </list>
/// Every variant is made from the original's text, deterministically from the seed.
/// </summary>
public static class HostileFixtures
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>Every family for one file. <paramref name="fixture"/>: whether it is a fixture (else results).</summary>
    public static IEnumerable<Hostile> For(string original, bool fixture, int seed, int mutations)
    {
        var random = new Random(seed);
        return Encodings(original)
            .Concat(Structure(original, random))
            .Concat(Nesting(original))
            .Concat(Types(original, random, slots: 8))
            .Concat(Numbers(original, random, slots: 4))
            .Concat(fixture ? Sizes(original).Concat(Mismatches(original)) : [])
            .Concat(Truncations(original))
            .Concat(Mutations(original, random, mutations));
    }

    public static IEnumerable<Hostile> Encodings(string original)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(original);
        yield return new("encoding", "UTF-8 with a BOM", [0xEF, 0xBB, 0xBF, .. utf8], Expect.Same);
        yield return new("encoding", "UTF-16LE with a BOM", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(original)], Expect.Invalid, "UTF-16");
        yield return new("encoding", "UTF-16BE with a BOM", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(original)], Expect.Invalid, "UTF-16");
        yield return new("encoding", "UTF-32LE with a BOM", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(original)], Expect.Invalid, "UTF-32");
        var utf32be = new UTF32Encoding(bigEndian: true, byteOrderMark: true);
        yield return new("encoding", "UTF-32BE with a BOM", [.. utf32be.GetPreamble(), .. utf32be.GetBytes(original)], Expect.Invalid, "UTF-32");
        yield return new("encoding", "UTF-16LE without a BOM", Encoding.Unicode.GetBytes(original), Expect.Invalid);
        yield return new("encoding", "two UTF-8 BOMs", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. utf8], Expect.Invalid);

        // Raw bytes inside a string an unknown field holds: the reader must look at them anyway.
        foreach ((string name, byte[] bytes) in new (string, byte[])[]
        {
            ("an invalid byte 0xFF", [0xFF]),
            ("a continuation byte alone", [0x80]),
            ("an overlong '/' (C0 AF)", [0xC0, 0xAF]),
            ("an overlong NUL (E0 80 80)", [0xE0, 0x80, 0x80]),
            ("an encoded surrogate (ED A0 80)", [0xED, 0xA0, 0x80]),
            ("a truncated sequence (E2 82)", [0xE2, 0x82]),
            ("a code point past U+10FFFF (F4 90 80 80)", [0xF4, 0x90, 0x80, 0x80]),
            ("a five-byte sequence", [0xF8, 0x88, 0x80, 0x80, 0x80]),
        })
        {
            yield return new("encoding", $"{name} in an unknown field", WithField(utf8, "\"x-note\": \"a", bytes, "b\", "), Expect.Invalid, "UTF-8");
        }

        foreach ((string name, string escape) in new[]
        {
            ("a lone high surrogate", "\\ud800"),
            ("a lone low surrogate", "\\udc00"),
            ("a reversed pair", "\\udc00\\ud800"),
            ("a high surrogate before a letter", "\\ud800\\u0041"),
            ("a high surrogate at the end", "x\\udbff"),
        })
        {
            yield return new("encoding", $"{name} escaped in an unknown field", WithField(utf8, $"\"x-note\": \"{escape}\", "), Expect.Invalid, "lone surrogate");
            yield return new("encoding", $"{name} escaped in a field name", WithField(utf8, $"\"{escape}\": 1, "), Expect.Invalid, "lone surrogate");
        }

        yield return new("encoding", "a lone surrogate escaped in the name", InName(original, "\\ud800"), Expect.Invalid, "lone surrogate");
        yield return new("encoding", "an escaped pair in an unknown field", WithField(utf8, "\"x-note\": \"\\ud83d\\ude00\", "), Expect.Same);
        yield return new("encoding", "raw emoji and accents in an unknown field", WithField(utf8, "\"x-note\": \"é 😀 ∂J/∂W\", "), Expect.Same);
        yield return new("encoding", "an escaped NUL in an unknown field", WithField(utf8, "\"x-note\": \"\\u0000\", "), Expect.Same);
        yield return new("encoding", "a raw control character in a string", WithField(utf8, "\"x-note\": \"a", [0x01], "b\", "), Expect.Invalid, "not valid JSON");
        yield return new("encoding", "a raw NUL between tokens", [.. utf8[..1], 0x00, .. utf8[1..]], Expect.Invalid, "not valid JSON");
        yield return new("encoding", "the name with a final newline", InName(original, "\\n"), Expect.Invalid, "name");
        yield return new("encoding", "the name with an escaped NUL", InName(original, "\\u0000"), Expect.Invalid, "name");
    }

    public static IEnumerable<Hostile> Structure(string original, Random random)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(original);
        string trimmed = original.TrimEnd();
        foreach ((string name, string text) in new[]
        {
            ("trailing garbage", trimmed + " x"),
            ("a second document", trimmed + " {}"),
            ("a line comment", "// a comment\n" + original),
            ("a block comment", "/* a comment */" + original),
            ("a trailing comma in the root", trimmed[..^1] + ",}"),
            ("an empty document", ""),
            ("only whitespace", " \n\t "),
            ("an empty object", "{}"),
            ("an array", "[]"),
            ("null", "null"),
            ("a number", "0"),
            ("a string", "\"backprop-fixture/1\""),
            ("an unclosed object", trimmed[..^1]),
            ("single quotes", original.Replace("\"format\"", "'format'", StringComparison.Ordinal)),
        })
        {
            yield return new("structure", name, Encoding.UTF8.GetBytes(text), Expect.Invalid);
        }

        yield return new("structure", "the name given twice", WithField(utf8, "\"name\": \"other\", "), Expect.Invalid, "given twice");
        yield return new("structure", "the format given twice", WithField(utf8, "\"format\": \"backprop-fixture/1\", "), Expect.Invalid, "given twice");
        yield return new("structure", "a field given twice in a nested object", Encoding.UTF8.GetBytes(DuplicateNested(original)), Expect.Invalid, "given twice");

        JsonNode root = JsonNode.Parse(original)!;
        yield return new("structure", "minified", Encoding.UTF8.GetBytes(root.ToJsonString(Compact)), Expect.Same);
        yield return new("structure", "keys shuffled in every object", Encoding.UTF8.GetBytes(Shuffled(root.DeepClone(), random).ToJsonString()), Expect.Same);
        yield return new("structure", "unknown fields in every object", Encoding.UTF8.GetBytes(WithUnknownFields(root.DeepClone()).ToJsonString()), Expect.Same);
    }

    public static IEnumerable<Hostile> Nesting(string original)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(original);
        int limit = FixtureReader.MaxDepth;

        // The root object is level 1: an unknown field nested limit − 1 deep reaches the limit, one more passes it.
        yield return new("nesting", "arrays one level under the limit", WithField(utf8, $"\"x-deep\": {Deep(limit - 1)}, "), Expect.Same);
        yield return new("nesting", "arrays one level past the limit", WithField(utf8, $"\"x-deep\": {Deep(limit)}, "), Expect.Invalid, "depth");
        yield return new("nesting", "objects one level past the limit", WithField(utf8, $"\"x-deep\": {DeepObjects(limit)}, "), Expect.Invalid, "depth");
        yield return new("nesting", "ten thousand arrays deep", WithField(utf8, $"\"x-deep\": {Deep(10_000)}, "), Expect.Invalid, "depth");
        yield return new("nesting", "ten thousand unclosed arrays", WithField(utf8, $"\"x-deep\": {new string('[', 10_000)}"), Expect.Invalid);
    }

    /// <summary>Fields and first array elements swapped for another kind of JSON value.</summary>
    public static IEnumerable<Hostile> Types(string original, Random random, int slots)
    {
        JsonNode root = JsonNode.Parse(original)!;
        List<string> paths = Slots(root).Where(p => p.Length > 0).ToList();
        foreach (string path in Pick(paths, slots, random))
        {
            JsonValueKind kind = Kind(Find(root, path));
            foreach ((string name, string json) in new[] { ("a string", "\"x\""), ("true", "true"), ("an empty array", "[]"), ("an empty object", "{}"), ("a number", "7"), ("null", "null") })
            {
                JsonValueKind replacement = JsonDocument.Parse(json).RootElement.ValueKind;
                bool sameKind = replacement == kind || (replacement is JsonValueKind.True && kind is JsonValueKind.False);
                Expect expect = json == "null" || sameKind ? Expect.Any : Expect.Invalid;
                yield return new("types", $"{path} as {name}", Encoding.UTF8.GetBytes(Set(root, path, json)), expect);
            }
        }
    }

    /// <summary>Numbers swapped for literals JSON forbids, literals past double's range, and odd valid ones.</summary>
    public static IEnumerable<Hostile> Numbers(string original, Random random, int slots)
    {
        JsonNode root = JsonNode.Parse(original)!;
        List<string> numbers = Slots(root).Where(p => p.Length > 0 && Kind(Find(root, p)) == JsonValueKind.Number).ToList();
        foreach (string path in Pick(numbers, slots, random))
        {
            foreach (string literal in new[] { "1e400", "-1e400", "01", "+1", ".5", "1.", "1e", "0x10", "NaN", "Infinity", "-", "1_000" })
            {
                yield return new("numbers", $"{path} = {literal}", Encoding.UTF8.GetBytes(SetRaw(original, root, path, literal)), Expect.Invalid);
            }

            foreach (string literal in new[] { "\"nan\"", "\"inf\"", "\"1.5\"" })
            {
                yield return new("numbers", $"{path} = {literal}", Encoding.UTF8.GetBytes(Set(root, path, literal)), Expect.Invalid);
            }

            foreach (string literal in new[] { "-0", "0", "5e-324", "1e-46", "1e39", "123456789012345678901234567890", "0.30000000000000004", "\"NaN\"", "\"-Infinity\"" })
            {
                yield return new("numbers", $"{path} = {literal}", Encoding.UTF8.GetBytes(Set(root, path, literal)), Expect.Any);
            }
        }
    }

    /// <summary>Widths, counts and steps at and past their limits, and arrays one short or one long.</summary>
    public static IEnumerable<Hostile> Sizes(string original)
    {
        JsonNode root = JsonNode.Parse(original)!;
        foreach (string value in new[] { "0", "-1", "65537", "2147483648", "1.5" })
        {
            yield return new("sizes", $"network.inputs = {value}", Encoding.UTF8.GetBytes(Set(root, "network.inputs", value)), Expect.Invalid, "network.inputs");
            yield return new("sizes", $"the first layer's units = {value}", Encoding.UTF8.GetBytes(Set(root, "network.layers[0].units", value)), Expect.Invalid, "network.layers[0].units");
        }

        // At the width limit the reader goes on, and the parameters no longer fit.
        yield return new("sizes", "network.inputs at the width limit", Encoding.UTF8.GetBytes(Set(root, "network.inputs", "65536")), Expect.Invalid, "parameters[0].weight");

        int steps = root["steps"]?.GetValue<int>() ?? 1;
        foreach (string value in new[] { "0", "-1", "2147483648", (steps + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            yield return new("sizes", $"steps = {value}", Encoding.UTF8.GetBytes(Set(root, "steps", value)), Expect.Invalid, "step");
        }

        yield return new("sizes", "steps past the multiply-add limit", Encoding.UTF8.GetBytes(Set(root, "steps", "2147483647")), Expect.Invalid, "multiply-adds");
        yield return new("sizes", "no batches", Encoding.UTF8.GetBytes(Set(root, "batches", "[]")), Expect.Invalid, "batches");
        yield return new("sizes", "no expectations", Encoding.UTF8.GetBytes(Set(root, "expected", "[]")), Expect.Invalid, "expected");
        yield return new("sizes", "one expectation too many", Encoding.UTF8.GetBytes(Edit(root, r => r["expected"]!.AsArray().Add(r["expected"]![0]!.DeepClone()))), Expect.Invalid, "expected");
        yield return new("sizes", "one set of parameters too few", Encoding.UTF8.GetBytes(Edit(root, r => r["parameters"]!.AsArray().RemoveAt(0))), Expect.Invalid, "parameters");
        yield return new("sizes", "one set of parameters too many", Encoding.UTF8.GetBytes(Edit(root, r => r["parameters"]!.AsArray().Add(r["parameters"]![0]!.DeepClone()))), Expect.Invalid, "parameters");
        yield return new("sizes", "a bias one too long", Encoding.UTF8.GetBytes(Edit(root, r => r["parameters"]![0]!["bias"]!.AsArray().Add(0))), Expect.Invalid, "parameters[0].bias");
        yield return new("sizes", "a bias one too short", Encoding.UTF8.GetBytes(Edit(root, r => r["parameters"]![0]!["bias"]!.AsArray().RemoveAt(0))), Expect.Invalid, "parameters[0].bias");
        yield return new("sizes", "a weight row dropped", Encoding.UTF8.GetBytes(Edit(root, r => r["parameters"]![0]!["weight"]!.AsArray().RemoveAt(0))), Expect.Invalid, "parameters[0].weight");
        yield return new("sizes", "a ragged weight", Encoding.UTF8.GetBytes(Edit(root, r => r["parameters"]![0]!["weight"]![0]!.AsArray().Add(0))), Expect.Invalid, "parameters[0].weight");
        if (root["expected"]![0]!["layers"] is JsonArray)
        {
            yield return new("sizes", "an expected layer entry dropped", Encoding.UTF8.GetBytes(Edit(root, r => r["expected"]![0]!["layers"]!.AsArray().RemoveAt(0))), Expect.Invalid, "expected[0].layers");
        }
        yield return new("sizes", "every batch twice, in the same order", Encoding.UTF8.GetBytes(Edit(root, r =>
        {
            JsonArray batches = r["batches"]!.AsArray();
            foreach (JsonNode? b in batches.ToArray())
            {
                batches.Add(b!.DeepClone());
            }
        })), Expect.Same);
    }

    /// <summary>Valid files the core must fail: a changed cost, a changed gradient, a changed updated parameter of the last step.</summary>
    public static IEnumerable<Hostile> Mismatches(string original)
    {
        JsonNode root = JsonNode.Parse(original)!;
        JsonArray expected = root["expected"]!.AsArray();
        int last = expected.Count - 1;
        if (Finite(expected[last]!["cost"]) is { } c && Math.Abs(c) < 1e30)
        {
            yield return new("mismatch", "the last step's cost changed", Encoding.UTF8.GetBytes(Set(root, $"expected[{last}].cost", Changed(c).ToString("R", System.Globalization.CultureInfo.InvariantCulture))), Expect.Mismatch);
        }

        if (expected[last]!["parameters"] is JsonArray updated && Finite(updated[^1]!["weight"]![0]![0]) is { } w && Math.Abs(w) < 1e30)
        {
            // A checker that ignores the last step's updated parameters would pass this.
            yield return new("mismatch", "the last step's last updated weight changed", Encoding.UTF8.GetBytes(Set(root, $"expected[{last}].parameters[{updated.Count - 1}].weight[0][0]", Changed(w).ToString("R", System.Globalization.CultureInfo.InvariantCulture))), Expect.Mismatch);
        }

        if (expected[0]!["layers"] is JsonArray layers && layers[0]!["gradWeight"] is JsonArray gw && Finite(gw[0]![0]) is { } g && Math.Abs(g) < 1e30)
        {
            yield return new("mismatch", "the first step's first gradWeight changed", Encoding.UTF8.GetBytes(Set(root, "expected[0].layers[0].gradWeight[0][0]", Changed(g).ToString("R", System.Globalization.CultureInfo.InvariantCulture))), Expect.Mismatch);
        }
    }

    /// <summary>A value 1 + |v| away from v: past any tolerance with rtol below 1, whatever the magnitude.</summary>
    private static double Changed(double v) => v + 1 + Math.Abs(v);

    public static IEnumerable<Hostile> Truncations(string original)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(original.TrimEnd());
        for (int tenth = 0; tenth < 10; tenth++)
        {
            yield return new("truncation", $"cut at {tenth}/10", utf8[..(utf8.Length * tenth / 10)], Expect.Invalid);
        }

        yield return new("truncation", "the last byte cut", utf8[..^1], Expect.Invalid);
    }

    /// <summary>Seeded random damage: bit flips, byte deletions and insertions, field deletions, swapped or shortened arrays.</summary>
    public static IEnumerable<Hostile> Mutations(string original, Random random, int count)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(original);
        JsonNode root = JsonNode.Parse(original)!;
        List<string> paths = Slots(root).Where(p => p.Length > 0).ToList();
        for (int i = 0; i < count; i++)
        {
            switch (random.Next(5))
            {
                case 0:
                {
                    byte[] bytes = (byte[])utf8.Clone();
                    for (int f = 1 + random.Next(3); f > 0; f--)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    yield return new("mutation", $"bit flips #{i}", bytes, Expect.Any);
                    break;
                }

                case 1:
                {
                    int at = random.Next(utf8.Length), length = 1 + random.Next(16);
                    yield return new("mutation", $"bytes {at}..{at + length} deleted #{i}", [.. utf8[..at], .. utf8[Math.Min(utf8.Length, at + length)..]], Expect.Any);
                    break;
                }

                case 2:
                {
                    int at = random.Next(utf8.Length);
                    byte[] noise = new byte[1 + random.Next(8)];
                    random.NextBytes(noise);
                    yield return new("mutation", $"random bytes at {at} #{i}", [.. utf8[..at], .. noise, .. utf8[at..]], Expect.Any);
                    break;
                }

                case 3:
                {
                    string path = paths[random.Next(paths.Count)];
                    yield return new("mutation", $"{path} removed #{i}", Encoding.UTF8.GetBytes(Edit(root, r => Remove(r, path))), Expect.Any);
                    break;
                }

                default:
                {
                    string path = paths[random.Next(paths.Count)];
                    string json = random.Next(4) switch { 0 => "[[1, 2], [3]]", 1 => "[]", 2 => "-1", _ => "[0.5]" };
                    yield return new("mutation", $"{path} = {json} #{i}", Encoding.UTF8.GetBytes(Set(root, path, json)), Expect.Any);
                    break;
                }
            }
        }
    }

    /// <summary>A fixture consistent in every shape whose one step holds more numbers than the limit: 65,536 samples through four layers of 64.</summary>
    public static Hostile TooManyNumbersPerStep()
    {
        var x = string.Join(",", Enumerable.Repeat("[0]", 65536));
        string Layer(int inputs, int units) =>
            $"{{\"weight\": [{string.Join(",", Enumerable.Repeat($"[{string.Join(",", Enumerable.Repeat("0", inputs))}]", units))}], \"bias\": [{string.Join(",", Enumerable.Repeat("0", units))}]}}";
        string text =
            "{\"format\": \"backprop-fixture/1\", \"name\": \"too-big\", \"dtype\": \"float64\", " +
            "\"network\": {\"inputs\": 1, \"layers\": [{\"units\": 64, \"activation\": \"relu\"}, {\"units\": 64, \"activation\": \"relu\"}, " +
            "{\"units\": 64, \"activation\": \"relu\"}, {\"units\": 1, \"activation\": \"identity\"}], \"loss\": {\"name\": \"mse_loss\"}}, " +
            $"\"parameters\": [{Layer(1, 64)}, {Layer(64, 64)}, {Layer(64, 64)}, {Layer(64, 1)}], " +
            $"\"batches\": [{{\"x\": [{x}], \"y\": [{x}]}}], \"expected\": [{{\"cost\": 0}}]}}";
        return new("sizes", "a step of more numbers than the limit", Encoding.UTF8.GetBytes(text), Expect.Invalid, "numbers");
    }

    // ---- JSON helpers: paths are written as the reader writes them, a.b[0].c ----

    private static byte[] WithField(byte[] utf8, string start, byte[]? raw = null, string end = "")
    {
        int brace = Array.IndexOf(utf8, (byte)'{');
        return [.. utf8[..(brace + 1)], .. Encoding.UTF8.GetBytes(start), .. raw ?? [], .. Encoding.UTF8.GetBytes(end), .. utf8[(brace + 1)..]];
    }

    /// <summary>The text with <paramref name="escape"/> written at the end of the top-level name's string.</summary>
    private static byte[] InName(string original, string escape)
    {
        int key = original.IndexOf("\"name\"", StringComparison.Ordinal);
        int open = original.IndexOf('"', original.IndexOf(':', key) + 1);
        int close = original.IndexOf('"', open + 1);
        return Encoding.UTF8.GetBytes(original[..close] + escape + original[close..]);
    }

    /// <summary>The first nested object with one field given twice.</summary>
    private static string DuplicateNested(string original)
    {
        int brace = original.IndexOf('{', original.IndexOf('{', StringComparison.Ordinal) + 1);
        return original[..(brace + 1)] + "\"x-twice\": 1, \"x-twice\": 2, " + original[(brace + 1)..];
    }

    private static string Deep(int depth) => new string('[', depth) + new string(']', depth);

    private static string DeepObjects(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static JsonNode Shuffled(JsonNode node, Random random)
    {
        if (node is JsonObject o)
        {
            var entries = o.Select(e => (e.Key, Value: e.Value?.DeepClone())).ToList();
            o.Clear();
            foreach ((string key, JsonNode? value) in entries.OrderBy(_ => random.Next()))
            {
                o[key] = value is null ? null : Shuffled(value, random);
            }
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
            {
                if (a[i] is { } child)
                {
                    JsonNode copy = Shuffled(child.DeepClone(), random);
                    a[i] = copy;
                }
            }
        }

        return node;
    }

    private static JsonNode WithUnknownFields(JsonNode node)
    {
        if (node is JsonObject o)
        {
            foreach (var (_, child) in o.ToArray())
            {
                if (child is not null)
                {
                    WithUnknownFields(child);
                }
            }

            o["x-unknown"] = JsonNode.Parse("{\"nested\": [1, \"a\", null, true, {\"b\": []}]}");
        }
        else if (node is JsonArray a)
        {
            foreach (JsonNode? child in a)
            {
                if (child is not null)
                {
                    WithUnknownFields(child);
                }
            }
        }

        return node;
    }

    /// <summary>Every field of every object, and the first element of every array.</summary>
    private static IEnumerable<string> Slots(JsonNode node, string path = "")
    {
        yield return path;
        if (node is JsonObject o)
        {
            foreach (var (key, child) in o)
            {
                string at = path.Length == 0 ? key : $"{path}.{key}";
                if (child is null)
                {
                    yield return at;
                }
                else
                {
                    foreach (string p in Slots(child, at))
                    {
                        yield return p;
                    }
                }
            }
        }
        else if (node is JsonArray { Count: > 0 } a && a[0] is { } first)
        {
            foreach (string p in Slots(first, $"{path}[0]"))
            {
                yield return p;
            }
        }
    }

    private static IEnumerable<string> Pick(List<string> paths, int count, Random random)
        => paths.Count <= count ? paths : paths.OrderBy(_ => random.Next()).Take(count).ToList();

    private static (JsonNode Parent, object Key) Locate(JsonNode root, string path)
    {
        JsonNode node = root;
        var parts = new List<object>();
        foreach (string segment in path.Split('.'))
        {
            int bracket = segment.IndexOf('[', StringComparison.Ordinal);
            parts.Add(bracket < 0 ? segment : segment[..bracket]);
            for (int at = bracket; at >= 0; at = segment.IndexOf('[', at + 1))
            {
                parts.Add(int.Parse(segment[(at + 1)..segment.IndexOf(']', at)], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        for (int i = 0; i < parts.Count - 1; i++)
        {
            node = parts[i] is string key ? node[key]! : node[(int)parts[i]]!;
        }

        return (node, parts[^1]);
    }

    private static JsonNode? Find(JsonNode root, string path)
    {
        (JsonNode parent, object key) = Locate(root, path);
        return key is string k ? parent[k] : parent[(int)key];
    }

    /// <summary>A value's kind as the readers see it: the strings "NaN", "Infinity" and "-Infinity" are numbers.</summary>
    private static JsonValueKind Kind(JsonNode? node)
        => node is JsonValue v && v.TryGetValue(out string? text) && text is "NaN" or "Infinity" or "-Infinity"
            ? JsonValueKind.Number
            : node?.GetValueKind() ?? JsonValueKind.Null;

    private static double? Finite(JsonNode? node) => node is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d) ? d : null;

    /// <summary>The document with the value at <paramref name="path"/> replaced by <paramref name="json"/>.</summary>
    private static string Set(JsonNode root, string path, string json)
        => Edit(root, r =>
        {
            (JsonNode parent, object key) = Locate(r, path);
            JsonNode? value = JsonNode.Parse(json);
            if (key is string k)
            {
                parent[k] = value;
            }
            else
            {
                parent[(int)key] = value;
            }
        });

    /// <summary>The document with the value at <paramref name="path"/> replaced by text that is not JSON: a marker is placed, then swapped.</summary>
    private static string SetRaw(string original, JsonNode root, string path, string raw)
    {
        const string Marker = "\"@@hostile@@\"";
        _ = original;
        return Set(root, path, Marker).Replace(Marker, raw, StringComparison.Ordinal);
    }

    private static void Remove(JsonNode root, string path)
    {
        (JsonNode parent, object key) = Locate(root, path);
        if (key is string k)
        {
            parent.AsObject().Remove(k);
        }
        else
        {
            parent.AsArray().RemoveAt((int)key);
        }
    }

    private static string Edit(JsonNode root, Action<JsonNode> edit)
    {
        JsonNode copy = root.DeepClone();
        edit(copy);
        return copy.ToJsonString();
    }
}
