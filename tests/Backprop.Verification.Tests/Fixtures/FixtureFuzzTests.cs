using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Backprop.Verification;
using Backprop.Testing;
using Xunit.Abstractions;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>
/// The loader and checker under fuzzing: thousands of seeded mutations of the committed fixtures
/// (bit flips, truncation, field deletion, type swaps, odd numbers) each end in exit 0, 1 or 2
/// with a message, never an exception or a hang.
/// </summary>
public class FixtureFuzzTests(ITestOutputHelper output)
{
    private const int Mutations = 3000;

    private static readonly string[] Originals = Directory.GetFiles(Path.Combine(Agreement.RepositoryRoot(), "fixtures"), "*.json")
        .Order().Select(File.ReadAllText).ToArray();

    [Fact(Timeout = 60_000)]
    public async Task Every_Mutated_Fixture_Ends_In_Exit_0_1_Or_2_With_A_Message()
    {
        await Task.Run(() =>
        {
            var random = new Random(20261122);
            var exits = new int[3];
            var kinds = new Dictionary<string, int>();
            var slowest = TimeSpan.Zero;
            for (int i = 0; i < Mutations; i++)
            {
                string original = Originals[random.Next(Originals.Length)];
                (string kind, string mutated) = Mutate(original, random);
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;

                var clock = Stopwatch.StartNew();
                FixtureCheck check;
                try
                {
                    check = FixtureChecker.CheckText(mutated);
                }
                catch (Exception e)
                {
                    throw new ShouldAssertException($"mutation {i} ({kind}) threw {e.GetType().Name}: {e.Message}\n--- input ---\n{Excerpt(mutated)}");
                }

                slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                check.ExitCode.ShouldBeOneOf(0, 1, 2);
                if (check.ExitCode == 2)
                {
                    check.Error.ShouldNotBeNullOrWhiteSpace($"mutation {i} ({kind}) was refused without a message");
                }

                exits[check.ExitCode]++;
            }

            output.WriteLine($"exit 0: {exits[0]}, exit 1: {exits[1]}, exit 2: {exits[2]}; slowest case {slowest.TotalMilliseconds:0} ms");
            output.WriteLine(string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}")));
            exits[2].ShouldBeGreaterThan(Mutations / 4, "most mutations should break the contract");
            (exits[0] + exits[1]).ShouldBeGreaterThan(0, "some mutations should still be valid fixtures");
            slowest.ShouldBeLessThan(TimeSpan.FromSeconds(5), "no single fixture may take long");
        });
    }

    private static (string Kind, string Text) Mutate(string original, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
            {
                byte[] bytes = Encoding.UTF8.GetBytes(original);
                int flips = 1 + random.Next(3);
                for (int f = 0; f < flips; f++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return ("bit flip", Encoding.UTF8.GetString(bytes));
            }

            case 1:
                return ("truncation", original[..random.Next(original.Length)]);
            default:
            {
                JsonNode root = JsonNode.Parse(original)!;
                List<(JsonNode Parent, object Key)> slots = [];
                Collect(root, slots);
                // Half the time a named field (lr, units, steps, …), else any slot: matrix elements
                // outnumber the settings a hundredfold and would otherwise crowd them out.
                var fields = slots.Where(slot => slot.Parent is JsonObject).ToList();
                (JsonNode parent, object key) = random.Next(2) == 0 ? fields[random.Next(fields.Count)] : slots[random.Next(slots.Count)];
                string kind;
                switch (random.Next(4))
                {
                    case 0 when parent is JsonObject o:
                        o.Remove((string)key);
                        kind = "field deletion";
                        break;
                    case 1:
                        Set(parent, key, random.Next(6) switch
                        {
                            0 => JsonValue.Create("swapped"),
                            1 => JsonValue.Create(true),
                            2 => null,
                            3 => new JsonArray(),
                            4 => new JsonObject(),
                            _ => JsonValue.Create(7),
                        });
                        kind = "type swap";
                        break;
                    case 2:
                        Set(parent, key, JsonNode.Parse(random.Next(10) switch
                        {
                            8 => "1e400",
                            9 => "-1e400",
                            0 => "0",
                            1 => "-1",
                            2 => "1e308",
                            3 => "-1e308",
                            4 => "5e-324",
                            5 => "123456789012",
                            6 => "\"NaN\"",
                            _ => "0.5",
                        }));
                        kind = "odd number";
                        break;
                    default:
                        if (parent is JsonArray a && a.Count > 0)
                        {
                            a.RemoveAt(a.Count - 1);
                            kind = "array shortened";
                        }
                        else
                        {
                            Set(parent, key, JsonNode.Parse("[[1, 2], [3]]"));
                            kind = "ragged matrix";
                        }

                        break;
                }

                return (kind, root.ToJsonString());
            }
        }
    }

    /// <summary>Every (container, key or index) slot in the document.</summary>
    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, child) in o.ToArray())
            {
                slots.Add((o, key));
                if (child is not null) Collect(child, slots);
            }
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
            {
                slots.Add((a, i));
                if (a[i] is { } child) Collect(child, slots);
            }
        }
    }

    private static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (parent is JsonObject o) o[(string)key] = value;
        else ((JsonArray)parent)[(int)key] = value;
    }

    private static string Excerpt(string text) => text.Length <= 2000 ? text : text[..2000] + "…";
}
