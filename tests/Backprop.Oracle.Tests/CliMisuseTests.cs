using System.Diagnostics;
using Backprop.Cli;
using Backprop.Testing;
using Xunit.Abstractions;

namespace Backprop.Oracle.Tests;

/// <summary>
/// The command line under misuse: every option of every command given hostile values (empty,
/// not a number, past every limit, not finite, special files, paths that cannot be written),
/// unknown options, missing values, repeated options and stray words, each combined with cheap
/// settings so that what is accepted still finishes fast. Every run ends with exit 0, 1 or 2
/// (2 for a value that cannot be right, never 1), a message on stderr for 2, no stack trace and
/// no internal error, in bounded time. The count of runs and of bad outcomes is printed.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public sealed class CliMisuseTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(20);

    private readonly string temp = Directory.CreateTempSubdirectory("backprop-misuse-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    /// <summary>One command line, and whether it certainly breaks a rule (then it must exit 2).</summary>
    private sealed record Misuse(string[] Args, bool Invalid)
    {
        public override string ToString() => string.Join(' ', Args.Select(a => a.Length > 40 ? a[..40] + "…" : a == "" ? "\"\"" : a));
    }

    [Fact(Timeout = 300_000)]
    public async Task Every_Option_Of_Every_Command_Under_Misuse_Ends_With_Exit_0_1_Or_2_And_A_Message()
    {
        await Task.Run(() =>
        {
            List<Misuse> runs = Misuses().ToList();
            var bad = new List<string>();
            var exits = new int[3];
            TimeSpan slowest = TimeSpan.Zero, total = TimeSpan.Zero;
            string? slowestRun = null;
            foreach (Misuse misuse in runs)
            {
                var clock = Stopwatch.StartNew();
                (int exit, string stdout, string stderr) result;
                try
                {
                    result = Cli.Run(misuse.Args);
                }
                catch (Exception e)
                {
                    bad.Add($"{misuse}: threw {e.GetType().Name}: {e.Message}");
                    continue;
                }

                TimeSpan took = clock.Elapsed;
                total += took;
                if (took > slowest)
                {
                    (slowest, slowestRun) = (took, misuse.ToString());
                }

                (int exit, string stdout, string stderr) = result;
                string? problem = exit is < 0 or > 2 ? $"exit {exit}: {stderr}"
                    : misuse.Invalid && exit != 2 ? $"exit {exit} for a value that cannot be right (must be 2): {stdout}{stderr}"
                    : exit == 2 && string.IsNullOrWhiteSpace(stderr) ? "exit 2 with nothing on stderr"
                    : stderr.Contains("   at ", StringComparison.Ordinal) || stderr.Contains("Unhandled exception", StringComparison.Ordinal) ? $"a stack trace: {stderr}"
                    : took > MaxTime ? $"took {took.TotalSeconds:0.0} s"
                    : null;
                if (problem is not null)
                {
                    bad.Add($"{misuse}: {problem}");
                }

                if (exit is >= 0 and <= 2)
                {
                    exits[exit]++;
                }
            }

            output.WriteLine($"{runs.Count} command lines ({runs.Count(r => r.Invalid)} certainly invalid): exit 0: {exits[0]}, exit 1: {exits[1]}, exit 2: {exits[2]}");
            output.WriteLine($"{total.TotalSeconds:0.0} s in all; slowest {slowest.TotalSeconds:0.00} s: {slowestRun}");
            output.WriteLine($"bad outcomes: {bad.Count}");
            bad.ShouldBeEmpty($"{bad.Count} of {runs.Count} command lines ended badly:\n" + string.Join("\n", bad.Take(30)));
        });
    }

    private IEnumerable<Misuse> Misuses()
    {
        string fixture = Agreement.FixturePath("worked-example.json");
        string folder = Directory.CreateDirectory(Path.Combine(temp, "folder")).FullName;
        string file = Path.Combine(temp, "file.txt");
        File.WriteAllText(file, "not a folder");
        string missing = Path.Combine(temp, "missing", "nothing.json");
        string fifo = Path.Combine(temp, "fifo.json");
        if (OperatingSystem.IsLinux())
        {
            using var mkfifo = Process.Start("mkfifo", fifo);
            mkfifo.WaitForExit();
        }

        string zero = Path.Combine(temp, "zero.json");
        File.CreateSymbolicLink(zero, "/dev/zero");

        // A data folder whose data file is a FIFO, a link to /dev/zero, or a folder.
        string DataWith(string name, Action<string> make)
        {
            string dir = Directory.CreateDirectory(Path.Combine(temp, name)).FullName;
            make(Path.Combine(dir, "breast_cancer.csv"));
            return dir;
        }

        string dataZero = DataWith("data-zero", p => File.CreateSymbolicLink(p, "/dev/zero"));
        string dataFolder = DataWith("data-folder", p => Directory.CreateDirectory(p));
        string dataWrong = DataWith("data-wrong", p => File.WriteAllText(p, "a,b\n1,2\n"));

        // A fixtures folder where a declared fixture file is a folder, and one where it is a FIFO.
        string conflicted = Directory.CreateDirectory(Path.Combine(temp, "conflicted")).FullName;
        Directory.CreateDirectory(Path.Combine(conflicted, "worked-example.json"));
        string fifoFixtures = Directory.CreateDirectory(Path.Combine(temp, "fifo-fixtures")).FullName;
        if (OperatingSystem.IsLinux())
        {
            using var mkfifo = Process.Start("mkfifo", Path.Combine(fifoFixtures, "worked-example.json"));
            mkfifo.WaitForExit();
        }

        string[] badInts = ["", " ", "abc", "1.5", "1e3", "0x10", "NaN", "2147483648", "-2147483649", "99999999999999999999", new string('9', 4096)];
        string[] badDoubles = ["", "abc", "1,5", "0x10", "1e", "--1"];
        string[] badNames = ["", " ", "-", "bogus", "RELU", "relu,", ",", "relu,,tanh", "é😀", new string('x', 10_000)];
        string[] badFiles = ["", folder, missing, zero, fifo, file, "/dev/null", "-"];

        IEnumerable<Misuse> With(string[] baseArgs, string option, IEnumerable<string> values, bool invalid)
            => values.Select(v => new Misuse([.. baseArgs, option, v], invalid));

        // Every command: unknown options, an option without its value, a stray word, help.
        foreach (string[] command in new[] { Array.Empty<string>(), ["check", fixture], ["fixtures"], ["fixtures", "generate"], ["fixtures", "check"], ["jacobians"], ["verify"], ["train", "-d", "digits"], ["bench"] })
        {
            yield return new([.. command, "--bogus"], true);
            yield return new([.. command, "-x"], true);
            yield return new([.. command, "--bogus=1"], true);
            yield return new([.. command, "--help"], false);
        }

        foreach (string[] noArguments in new[] { ["jacobians"], ["verify"], ["bench"], new[] { "fixtures", "check" } })
        {
            yield return new([.. noArguments, "stray"], true);
        }

        yield return new(["walkthrough"], true);
        yield return new(["--dtype"], true);

        // The walkthrough and jacobians: --dtype.
        foreach (string[] command in new[] { Array.Empty<string>(), ["jacobians"] })
        {
            foreach (string bad in new[] { "", "float16", "FLOAT32", "float32,float64", "bfloat16" })
            {
                yield return new([.. command, "--dtype", bad], true);
            }
        }

        yield return new(["jacobians", "--dtype", "float32"], false);
        yield return new(["jacobians", "--dtype", "float64"], false);

        // check: files, --tolerance, --results, --json.
        foreach (string bad in badFiles)
        {
            yield return new(["check", bad], true);
            yield return new(["check", fixture, "--results", bad], true);
            yield return new(["check", bad, "--results", fixture], true);
            yield return new(["check", "--json", bad], true);
        }

        foreach (string bad in new[] { "", "1", "1,2,3", "a,b", "-1,0", "0,-1", "NaN,0", "Infinity,0", "1e309,0", "0,1e309", ",", "1e-5;1e-6" })
        {
            yield return new(["check", fixture, "--tolerance", bad], true);
            yield return new(["check", fixture, "--results", fixture, "--tolerance", bad], true);
        }

        yield return new(["check", fixture, fixture, "--results", fixture], true);
        yield return new(["check"], true);
        yield return new(["check", fixture, "--json", "--json"], false);
        yield return new(["check", fixture, "--tolerance", "0,0"], false);
        yield return new(["check", fixture, "--tolerance", "1e300,1e300"], false);
        yield return new(["check", fixture, fixture, fixture], false);

        // fixtures generate --out and fixtures check --dir: never a valid folder here (those regenerate every fixture).
        foreach (string bad in new[] { "", " ", file, Path.Combine(file, "below"), "/dev/null", "/proc/self/nothing", conflicted, fifo, zero })
        {
            yield return new(["fixtures", "generate", "--out", bad], true);
        }

        foreach (string bad in new[] { "", " ", file, missing, fifo, zero, "/dev/null", conflicted, fifoFixtures })
        {
            yield return new(["fixtures", "check", "--dir", bad], true);
        }

        // verify without --exec: --networks, --seed, and the options only --exec reads.
        foreach (Misuse m in With(["verify"], "--networks", [.. badInts, "0", "-1", "1000001"], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(["verify", "--networks", "1"], "--seed", badInts, true))
        {
            yield return m;
        }

        foreach (Misuse m in With(["verify", "--networks", "2"], "--seed", ["-2147483648", "2147483647", "0"], false))
        {
            yield return m;
        }

        foreach (string option in new[] { "--activations", "--losses", "--optimizers", "--layouts", "--dtype", "--max-steps", "--timeout", "--out", "--replay" })
        {
            yield return new(["verify", "--networks", "1", option, "1"], true);
        }

        // verify --exec: a program that cannot answer, bad vocabularies and bounds.
        string[] exec = ["verify", "--exec", "exit 3", "--networks", "2"];
        foreach (string option in new[] { "--activations", "--losses", "--optimizers", "--layouts" })
        {
            foreach (Misuse m in With(exec, option, badNames, true))
            {
                yield return m;
            }
        }

        foreach (Misuse m in With(exec, "--max-steps", [.. badInts, "0", "6", "-1"], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(exec, "--timeout", [.. badDoubles, "NaN", "Infinity", "-1", "0", "3601", "1e309"], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(exec, "--dtype", ["", "float16", "FLOAT64"], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(exec, "--networks", ["0", "-5", "1000001", "abc"], true))
        {
            yield return m;
        }

        foreach (string bad in badFiles)
        {
            yield return new(["verify", "--exec", "cat", "--replay", bad], true);
        }

        yield return new(["verify", "--exec", "", "--networks", "1"], true);
        yield return new(["verify", "--exec", "exit 3", "--networks", "1"], true);
        yield return new(["verify", "--exec", "cat", "--networks", "1"], true);
        yield return new(["verify", "--exec", "sleep 30", "--networks", "1", "--timeout", "0.3"], true);
        yield return new(["verify", "--exec", "echo not json", "--networks", "1"], true);
        yield return new(["verify", "--exec", "cat", "--networks", "1", "--out", file], true);

        // train: every option past its limits, and data files that are not what they should be.
        string[] train = ["train", "-d", "breast-cancer", "--epochs", "1", "--layers", "4"];
        foreach (string bad in new[] { "", "iris", "DIGITS", "digits,breast-cancer" })
        {
            yield return new(["train", "-d", bad, "--epochs", "1"], true);
        }

        foreach (string bad in new[] { "x", "0", "-1", "4097", "40000,40000", "4096,4096", "1,,2", "1.5", "2147483648", string.Join(",", Enumerable.Repeat("1", 17)) })
        {
            yield return new(["train", "-d", "breast-cancer", "--epochs", "1", "--layers", bad], true);
        }

        foreach (Misuse m in With(train, "--activation", badNames, true))
        {
            yield return m;
        }

        foreach (Misuse m in With(train, "--optimizer", ["", "rmsprop", "SGD", "sgd,adam"], true))
        {
            yield return m;
        }

        foreach (string optimizer in new[] { "sgd", "adam", "adamw" })
        {
            foreach (string option in new[] { "--lr", "--weight-decay" })
            {
                foreach (Misuse m in With([.. train, "--optimizer", optimizer], option, [.. badDoubles, "NaN", "Infinity", "-Infinity", "1e39", "1e308", "1e309", "-1"], true))
                {
                    yield return m;
                }
            }
        }

        foreach (Misuse m in With(train, "--momentum", [.. badDoubles, "NaN", "Infinity", "-1", "1e39"], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(["train", "-d", "breast-cancer", "--layers", "4"], "--epochs", [.. badInts, "0", "-1", "2147483647", "100000"], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(train, "--batch", [.. badInts, "0", "-1", "456", "2147483647"], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(train, "--seed", badInts, true))
        {
            yield return m;
        }

        foreach (Misuse m in With(train, "--dtype", ["", "float16"], true))
        {
            yield return m;
        }

        foreach (string bad in new[] { "", folder, missing, fifo, zero, dataZero, dataFolder, dataWrong, file })
        {
            yield return new([.. train, "--data", bad], true);
        }

        foreach (string bad in new[] { "", file, Path.Combine(file, "below"), "/dev/null", "/proc/self/nothing" })
        {
            yield return new([.. train, "--out", bad], true);
        }

        yield return new([.. train, "--lr", "0"], false);
        yield return new([.. train, "--seed", "-2147483648"], false);
        yield return new([.. train, "--json", "--dtype", "float64", "--optimizer", "adamw", "--lr", "1e300"], false);

        // bench: only values that cannot be right (an accepted run takes seconds).
        string[] bench = ["bench", "--quick", "--dtype", "float32"];
        foreach (Misuse m in With(bench, "--threads", ["", "0", "-1", "x", "1,x", "1000", "2147483647", "99999999999", "1.5", ",", "1,,2", string.Join(",", Enumerable.Repeat("1", 9))], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(bench, "--batch", [.. badInts, "0", "-1", "1025"], true))
        {
            yield return m;
        }

        foreach (Misuse m in With(["bench", "--quick"], "--dtype", ["", "float16", "all"], true))
        {
            yield return m;
        }

    }
}
