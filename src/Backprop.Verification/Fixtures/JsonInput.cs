using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Backprop.Verification;

/// <summary>
/// A JSON document as the fixture and results readers accept it, checked in one pass over its
/// bytes, in time linear in its size: strict UTF-8 (an optional UTF-8 byte order mark, no UTF-16
/// or UTF-32, no invalid or overlong sequences, no escaped lone surrogates such as
/// <c>"\ud800"</c>), valid JSON nested no deeper than <see cref="FixtureReader.MaxDepth"/>, and no
/// field named twice in one object. It remembers where each top-level field's value lies, so that
/// a reader parses one field (or one element of a top-level array) at a time, and memory follows
/// the largest such value rather than the whole document.
/// Not thread-safe: one reader uses it at a time.
/// </summary>
internal sealed class JsonInput
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = FixtureReader.MaxDepth };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = FixtureReader.MaxDepth };

    private readonly ReadOnlyMemory<byte> utf8;
    private readonly Dictionary<string, (int Start, int Length)> fields;

    private JsonInput(ReadOnlyMemory<byte> utf8, JsonValueKind rootKind, Dictionary<string, (int Start, int Length)> fields)
        => (this.utf8, RootKind, this.fields) = (utf8, rootKind, fields);

    /// <summary>What the document is: a fixture or results file must be an object.</summary>
    public JsonValueKind RootKind { get; }

    /// <summary>A file's bytes for a reader (<see cref="BoundedFile.Read"/>), any refusal as a <see cref="FixtureFormatException"/>.</summary>
    public static byte[] ReadFile(string path, long maxBytes, string what)
    {
        try
        {
            return BoundedFile.Read(path, maxBytes, what);
        }
        catch (InvalidDataException e)
        {
            throw new FixtureFormatException("", e.Message);
        }
    }

    /// <summary>Text already in memory, encoded as UTF-8 strictly: a lone surrogate is refused, not replaced.</summary>
    public static JsonInput FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes;
        try
        {
            bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new FixtureFormatException("", $"not valid text: a lone surrogate (U+{(int)e.CharUnknown:X4}) at character {e.Index}; the text must be Unicode");
        }

        return FromBytes(bytes);
    }

    /// <summary>Checks the bytes (encoding, syntax, depth, strings, repeated fields) and finds the top-level fields.</summary>
    public static JsonInput FromBytes(ReadOnlyMemory<byte> bytes)
    {
        ReadOnlySpan<byte> span = bytes.Span;
        if (Encoding(span) is { } other)
        {
            throw new FixtureFormatException("", $"the file is in {other}: it starts with that byte order mark; only UTF-8 is accepted");
        }

        if (span.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
            span = bytes.Span;
        }

        if (!Utf8.IsValid(span))
        {
            int at = FirstInvalidUtf8(span);
            throw new FixtureFormatException("", $"not valid UTF-8: byte {at} (0x{span[at]:X2}, line {1 + span[..at].Count((byte)'\n')}) begins no valid UTF-8 sequence");
        }

        var scan = new Scan(bytes);
        return new JsonInput(bytes, scan.RootKind, scan.Fields);
    }

    /// <summary>Whether the top-level object has the field (with any value, null included).</summary>
    public bool Has(string field) => fields.ContainsKey(field);

    /// <summary>The field's value parsed on its own, or null when absent; the caller disposes it.</summary>
    public JsonDocument? Field(string field)
        => fields.TryGetValue(field, out var range) ? JsonDocument.Parse(utf8.Slice(range.Start, range.Length), DocumentOptions) : null;

    /// <summary>The kind of a top-level field's value, read from its first token; null when the field is absent.</summary>
    public JsonValueKind? KindOf(string field)
    {
        if (!fields.TryGetValue(field, out var range))
        {
            return null;
        }

        return utf8.Span[range.Start] switch
        {
            (byte)'{' => JsonValueKind.Object,
            (byte)'[' => JsonValueKind.Array,
            (byte)'"' => JsonValueKind.String,
            (byte)'t' => JsonValueKind.True,
            (byte)'f' => JsonValueKind.False,
            (byte)'n' => JsonValueKind.Null,
            _ => JsonValueKind.Number,
        };
    }

    /// <summary>The number of elements of a top-level array field (0 when absent or not an array).</summary>
    public int Count(string field)
    {
        int count = 0;
        foreach (var _ in Ranges(field))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Each element of a top-level array field, parsed on its own and disposed when the next is
    /// asked for: memory follows the largest element, not the array.
    /// </summary>
    public IEnumerable<JsonElement> Elements(string field)
    {
        foreach ((int start, int length) in Ranges(field))
        {
            using JsonDocument element = JsonDocument.Parse(utf8.Slice(start, length), DocumentOptions);
            yield return element.RootElement;
        }
    }

    private IEnumerable<(int Start, int Length)> Ranges(string field)
    {
        if (!fields.TryGetValue(field, out var range))
        {
            yield break;
        }

        ReadOnlyMemory<byte> array = utf8.Slice(range.Start, range.Length);
        var cursor = new Cursor();
        while (NextElement(array.Span, ref cursor) is { } element)
        {
            yield return (range.Start + element.Start, element.Length);
        }
    }

    /// <summary>Where a walk through an array stopped: a reader cannot live across a yield, so its state is kept here.</summary>
    private struct Cursor
    {
        public int Consumed;
        public JsonReaderState State;
        public bool Started;
    }

    /// <summary>The next element of the array in <paramref name="array"/>, or null at its end (or when it is no array).</summary>
    private static (int Start, int Length)? NextElement(ReadOnlySpan<byte> array, ref Cursor cursor)
    {
        var reader = cursor.Started
            ? new Utf8JsonReader(array[cursor.Consumed..], isFinalBlock: true, cursor.State)
            : new Utf8JsonReader(array, ReaderOptions);
        if (!cursor.Started)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            cursor.Started = true;
        }

        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
        {
            return null;
        }

        int start = cursor.Consumed + (int)reader.TokenStartIndex;
        reader.Skip();
        int end = cursor.Consumed + (int)reader.BytesConsumed;
        (cursor.Consumed, cursor.State) = (end, reader.CurrentState);
        return (start, end - start);
    }

    /// <summary>
    /// The one pass over the bytes: the reader checks the syntax and the depth; this checks every
    /// escaped string and field name, and that no object names a field twice, keeping a path to
    /// name in a refusal; and it notes where each top-level field's value lies.
    /// </summary>
    private sealed class Scan
    {
        private readonly Frame[] stack = new Frame[FixtureReader.MaxDepth + 1];
        private int depth;

        public Scan(ReadOnlyMemory<byte> bytes)
        {
            var reader = new Utf8JsonReader(bytes.Span, ReaderOptions);
            string? field = null;
            int fieldStart = -1;
            try
            {
                while (reader.Read())
                {
                    JsonTokenType token = reader.TokenType;
                    if (token == JsonTokenType.PropertyName)
                    {
                        Frame frame = stack[depth - 1];
                        string name = Text(ref reader, "a field name");
                        frame.Names ??= new HashSet<string>(StringComparer.Ordinal);
                        frame.Name = name;
                        if (!frame.Names.Add(name))
                        {
                            throw new FixtureFormatException(Path(), "this field is given twice in one object; each field may appear once");
                        }

                        field = depth == 1 ? name : field;
                        continue;
                    }

                    if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                    {
                        depth--;
                        if (depth == 1 && field is not null)
                        {
                            Fields[field] = (fieldStart, (int)reader.BytesConsumed - fieldStart);
                            field = null;
                        }

                        continue;
                    }

                    // A value starts: an array counts its elements, for the path.
                    if (depth == 0)
                    {
                        RootKind = Kind(token);
                    }
                    else if (stack[depth - 1].IsArray)
                    {
                        stack[depth - 1].Index++;
                    }
                    else if (depth == 1)
                    {
                        fieldStart = (int)reader.TokenStartIndex;
                    }

                    if (token == JsonTokenType.String && reader.ValueIsEscaped)
                    {
                        _ = Text(ref reader, "a string");
                    }

                    if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        Frame frame = stack[depth] ??= new Frame();
                        frame.Reset(token == JsonTokenType.StartArray);
                        depth++;
                    }
                    else if (depth == 1 && field is not null)
                    {
                        Fields[field] = (fieldStart, (int)reader.BytesConsumed - fieldStart);
                        field = null;
                    }
                }
            }
            catch (JsonException e)
            {
                throw new FixtureFormatException("", $"not valid JSON: {e.Message}");
            }
        }

        public JsonValueKind RootKind { get; private set; }

        public Dictionary<string, (int Start, int Length)> Fields { get; } = new(StringComparer.Ordinal);

        /// <summary>A string or field name, unescaped: an escaped lone surrogate is refused here, with its path.</summary>
        private string Text(ref Utf8JsonReader reader, string what)
        {
            try
            {
                return reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                string at = Path();
                throw new FixtureFormatException(
                    at.Length == 0 ? "$" : at,
                    $"{what} holds an escaped lone surrogate (such as \\ud800 without its pair), which is no Unicode text");
            }
        }

        /// <summary>The JSON path of the current position, as the readers write it: network.layers[0].units.</summary>
        private string Path()
        {
            var path = new StringBuilder();
            for (int d = 0; d < depth; d++)
            {
                Frame frame = stack[d];
                if (frame.IsArray)
                {
                    if (frame.Index >= 0)
                    {
                        path.Append('[').Append(frame.Index).Append(']');
                    }
                }
                else if (frame.Name is not null)
                {
                    path.Append(path.Length == 0 ? "" : ".").Append(frame.Name);
                }
            }

            return path.ToString();
        }

        private static JsonValueKind Kind(JsonTokenType token) => token switch
        {
            JsonTokenType.StartObject => JsonValueKind.Object,
            JsonTokenType.StartArray => JsonValueKind.Array,
            JsonTokenType.String => JsonValueKind.String,
            JsonTokenType.Number => JsonValueKind.Number,
            JsonTokenType.True => JsonValueKind.True,
            JsonTokenType.False => JsonValueKind.False,
            _ => JsonValueKind.Null,
        };

        private sealed class Frame
        {
            public bool IsArray { get; private set; }

            public int Index { get; set; }

            public string? Name { get; set; }

            public HashSet<string>? Names { get; set; }

            public void Reset(bool isArray)
            {
                (IsArray, Index, Name) = (isArray, -1, null);
                Names?.Clear();
            }
        }
    }

    private static string? Encoding(ReadOnlySpan<byte> span) =>
        span.StartsWith(stackalloc byte[] { 0x00, 0x00, 0xFE, 0xFF }) ? "UTF-32 (big-endian)"
        : span.StartsWith(stackalloc byte[] { 0xFF, 0xFE, 0x00, 0x00 }) ? "UTF-32 (little-endian)"
        : span.StartsWith(stackalloc byte[] { 0xFE, 0xFF }) ? "UTF-16 (big-endian)"
        : span.StartsWith(stackalloc byte[] { 0xFF, 0xFE }) ? "UTF-16 (little-endian)"
        : null;

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> span)
    {
        int at = 0;
        while (at < span.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(span[at..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return span.Length;
    }
}
