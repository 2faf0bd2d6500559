using System.Diagnostics;
using System.Text;
using Backprop.Testing;
using Xunit.Abstractions;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>
/// The hostile-input generator (<see cref="HostileFixtures"/>) run over every committed fixture,
/// and over results files answering some of them: each variant must end as its family says
/// (the same exit as the original, exit 2 with a message for a broken file, never 1, exit 1 for a
/// changed expectation, and for random damage exit 0, 1 or 2 with a message), with no exception,
/// in bounded time and allocation. Special files (folders, FIFOs, devices, links) are refused
/// before they are read. The counts are printed; the test fails on any bad outcome.
/// </summary>
public class HostileInputTests(ITestOutputHelper output)
{
    /// <summary>No variant of these small files may take longer than this to check.</summary>
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);

    private static readonly string[] Paths = Directory.GetFiles(Path.Combine(Agreement.RepositoryRoot(), "fixtures"), "*.json").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Bytes a check may allocate: generous for the small committed files, and proportional to the input.</summary>
    private static long MaxAllocation(int inputBytes) => Math.Max(64L << 20, 200L * inputBytes);

    [Fact(Timeout = 120_000)]
    public async Task Every_Hostile_Variant_Of_Every_Committed_Fixture_Ends_As_Its_Family_Says()
    {
        await Task.Run(() =>
        {
            var tally = new Tally();
            for (int f = 0; f < Paths.Length; f++)
            {
                string original = File.ReadAllText(Paths[f]);
                int originalExit = FixtureChecker.CheckText(original).ExitCode;
                originalExit.ShouldBe(FixtureCheck.Passed, Paths[f]);
                foreach (Hostile variant in HostileFixtures.For(original, fixture: true, seed: 1700 + f, mutations: 20))
                {
                    tally.Judge($"{Path.GetFileName(Paths[f])}: {variant}", variant, originalExit, () =>
                    {
                        FixtureCheck check = FixtureChecker.CheckUtf8(variant.Bytes);
                        return (check.ExitCode, check.Error);
                    });
                }
            }

            Hostile big = HostileFixtures.TooManyNumbersPerStep();
            tally.Judge(big.ToString(), big, 0, () =>
            {
                FixtureCheck check = FixtureChecker.CheckUtf8(big.Bytes);
                return (check.ExitCode, check.Error);
            });

            tally.Report(output, "fixture variants");
        });
    }

    [Fact(Timeout = 120_000)]
    public async Task Every_Hostile_Variant_Of_Results_Files_Ends_As_Its_Family_Says()
    {
        await Task.Run(() =>
        {
            var tally = new Tally();
            string dir = Directory.CreateTempSubdirectory("backprop-hostile-results-").FullName;
            try
            {
                foreach (string name in new[] { "worked-example", "gelu-tanh-elu-cross-entropy-adamw", "seed-002-sigmoid-softmax-cross-entropy", "overflow-to-infinity" })
                {
                    string fixturePath = Agreement.FixturePath($"{name}.json");
                    Fixture fixture = FixtureReader.ReadFile(fixturePath);
                    string original = ResultsWriter.Write(Verification.Results.From(fixture.Name, Trainer.Run(fixture.Case, fixture.DType)), fixture.DType);
                    string resultsPath = Path.Combine(dir, "results.json");
                    File.WriteAllText(resultsPath, original);
                    int originalExit = ResultsCheck.Run(fixturePath, resultsPath).ExitCode;
                    originalExit.ShouldBe(FixtureCheck.Passed, name);
                    foreach (Hostile variant in HostileFixtures.For(original, fixture: false, seed: 1800 + name.Length, mutations: 20))
                    {
                        tally.Judge($"results for {name}: {variant}", variant, originalExit, () =>
                        {
                            File.WriteAllBytes(resultsPath, variant.Bytes);
                            ResultsCheck check = ResultsCheck.Run(fixturePath, resultsPath);
                            return (check.ExitCode, check.Error);
                        });
                    }
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }

            tally.Report(output, "results variants");
        });
    }

    [Fact]
    public void Special_Files_Are_Refused_Before_They_Are_Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string dir = Directory.CreateTempSubdirectory("backprop-hostile-files-").FullName;
        try
        {
            string fixture = Agreement.FixturePath("worked-example.json");
            string Link(string name, string target)
            {
                string path = Path.Combine(dir, name);
                File.CreateSymbolicLink(path, target);
                return path;
            }

            string fifo = Path.Combine(dir, "fifo.json");
            using (var mkfifo = Process.Start("mkfifo", fifo))
            {
                mkfifo.WaitForExit();
                mkfifo.ExitCode.ShouldBe(0);
            }

            string empty = Path.Combine(dir, "empty.json");
            File.WriteAllText(empty, "");
            string spaces = Path.Combine(dir, "spaces.json");
            File.WriteAllText(spaces, "   \n");
            string sparse = Path.Combine(dir, "sparse.json");
            using (FileStream file = File.Create(sparse))
            {
                file.SetLength(FixtureReader.MaxFileBytes + 1);
            }

            Link("loop-a.json", Path.Combine(dir, "loop-b.json"));
            var cases = new (string Name, string Path, string Message)[]
            {
                ("a folder", dir, "it is a folder"),
                ("a FIFO", fifo, "not a regular file"),
                ("a link to a FIFO", Link("to-fifo.json", fifo), "not a regular file"),
                ("a link to /dev/zero", Link("zero.json", "/dev/zero"), "not a regular file"),
                ("a link to /dev/urandom", Link("urandom.json", "/dev/urandom"), "not a regular file"),
                ("/dev/null", "/dev/null", "not a regular file"),
                ("/proc/self/mem", "/proc/self/mem", "cannot read"),
                ("a dangling link", Link("dangling.json", Path.Combine(dir, "nowhere.json")), "no such file"),
                ("a link loop", Link("loop-b.json", Path.Combine(dir, "loop-a.json")), "cannot read"),
                ("an empty file", empty, "empty"),
                ("a file of spaces", spaces, "not valid JSON"),
                ("a file one byte past the size limit", sparse, $"fixtures are limited to {FixtureReader.MaxFileBytes} bytes"),
                ("a missing file", Path.Combine(dir, "missing.json"), "no such file"),
                ("an empty path", "", "cannot read"),
            };
            foreach ((string name, string path, string message) in cases)
            {
                var clock = Stopwatch.StartNew();
                FixtureCheck check = FixtureChecker.CheckFile(path);
                check.ExitCode.ShouldBe(FixtureCheck.Invalid, name);
                check.Error.ShouldNotBeNull(name).ShouldContain(message, Case.Sensitive, name);
                clock.Elapsed.ShouldBeLessThan(MaxTime, name);
                ResultsCheck results = ResultsCheck.Run(fixture, path);
                results.ExitCode.ShouldBe(FixtureCheck.Invalid, name);
                results.Error.ShouldNotBeNull(name).ShouldContain(message.Replace("fixtures are", "results files are", StringComparison.Ordinal), Case.Sensitive, name);
            }

            // A link to a good fixture is read through: it is the target that must be a regular file.
            FixtureChecker.CheckFile(Link("good.json", fixture)).ExitCode.ShouldBe(FixtureCheck.Passed);
            output.WriteLine($"{cases.Length} special files refused as fixtures and as results, each before it was read");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs and judges variants, keeping counts and every bad outcome.</summary>
    private sealed class Tally
    {
        private readonly Dictionary<string, int> families = [];
        private readonly int[] exits = new int[3];
        private readonly List<string> bad = [];
        private int count;
        private TimeSpan slowest;
        private long mostAllocated;

        public void Judge(string name, Hostile variant, int originalExit, Func<(int Exit, string? Error)> check)
        {
            count++;
            families[variant.Family] = families.GetValueOrDefault(variant.Family) + 1;
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            (int exit, string? error) result;
            try
            {
                result = check();
            }
            catch (Exception e)
            {
                bad.Add($"{name}: threw {e.GetType().Name}: {e.Message}");
                return;
            }

            TimeSpan took = clock.Elapsed;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            (slowest, mostAllocated) = (took > slowest ? took : slowest, Math.Max(mostAllocated, allocated));
            (int exit, string? error) = result;
            string? problem = exit is < 0 or > 2 ? $"exit {exit}"
                : exit == 2 && string.IsNullOrWhiteSpace(error) ? "exit 2 without a message"
                : variant.Expect == Expect.Invalid && exit != 2 ? $"exit {exit} for a broken file (must be 2)"
                : variant.Expect == Expect.Same && exit != originalExit ? $"exit {exit}, not the original's {originalExit}: {error}"
                : variant.Expect == Expect.Mismatch && exit != 1 ? $"exit {exit} for a changed expectation (must be 1): {error}"
                : exit == 2 && variant.MessageContains is { } words && !error!.Contains(words, StringComparison.Ordinal) ? $"the message does not say \"{words}\": {error}"
                : took > MaxTime ? $"took {took.TotalMilliseconds:0} ms"
                : allocated > MaxAllocation(variant.Bytes.Length) ? $"allocated {allocated >> 20} MiB for {variant.Bytes.Length} bytes"
                : null;
            if (problem is not null)
            {
                bad.Add($"{name}: {problem}");
            }

            if (exit is >= 0 and <= 2)
            {
                exits[exit]++;
            }
        }

        public void Report(ITestOutputHelper output, string what)
        {
            output.WriteLine($"{count} {what}: {string.Join(", ", families.Select(f => $"{f.Key} {f.Value}"))}");
            output.WriteLine($"exit 0: {exits[0]}, exit 1: {exits[1]}, exit 2: {exits[2]}; slowest {slowest.TotalMilliseconds:0} ms, most allocated {mostAllocated >> 10} KiB");
            output.WriteLine($"bad outcomes: {bad.Count}");
            bad.ShouldBeEmpty($"{bad.Count} of {count} {what} ended badly:\n" + string.Join("\n", bad.Take(30)));
            count.ShouldBeGreaterThan(0);
        }
    }
}
