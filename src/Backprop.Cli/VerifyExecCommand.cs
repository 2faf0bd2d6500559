using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Backprop.Core;
using Backprop.Oracle;
using Backprop.Verification;
using Spectre.Console;

namespace Backprop.Cli;

/// <summary>The options of <c>verify --exec</c>, as given on the command line. Thread-safe: immutable.</summary>
public sealed record VerifyExecSettings(
    string? Activations, string? Losses, string? Optimizers, string? Layouts, string DType,
    int MaxSteps, double TimeoutSeconds, string OutDir, string? Replay);

/// <summary>The <c>verify --exec</c> options, declared once and read back together. Thread-safe to read once added to a command: the options are made once and only read.</summary>
public sealed class VerifyExecOptions
{
    public Option<string?> Exec { get; } = new("--exec")
    {
        Description = "a command that speaks the protocol (docs/verify-protocol.md): one case per line on its stdin, one backprop-results/1 line back",
    };

    private readonly Option<string?> activations = new("--activations") { Description = "activations it supports, comma-separated (default: all; identity may always end a network)" };
    private readonly Option<string?> losses = new("--losses") { Description = "losses it supports, comma-separated (default: all)" };
    private readonly Option<string?> optimizers = new("--optimizers") { Description = "optimizers it supports, comma-separated, none for gradients only (default: all)" };
    private readonly Option<string?> layouts = new("--layouts") { Description = "layouts it supports, as samples/weights: rows/out-in, rows/in-out, columns/out-in, columns/in-out (default: all)" };
    private readonly Option<string> dtype = new("--dtype") { Description = "float64 (default) or float32 (inner dimensions ≤ 3, where libtorch sums in a plain loop's order)", DefaultValueFactory = _ => "float64" };
    private readonly Option<int> maxSteps = new("--max-steps") { Description = "at most this many training steps per case (1 to 5)", DefaultValueFactory = _ => 5 };
    private readonly Option<double> timeout = new("--timeout") { Description = "seconds to wait for each answer, above 0 and at most 3600 (default 10)", DefaultValueFactory = _ => 10, CustomParser = Numbers.Parse };
    private readonly Option<string> outDir = new("--out") { Description = "folder for the smallest failing case (default: the current folder)", DefaultValueFactory = _ => "." };
    private readonly Option<string?> replay = new("--replay") { Description = "ask the command about this one fixture instead of random cases (no libtorch needed)" };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (Option option in new Option[] { Exec, activations, losses, optimizers, layouts, dtype, maxSteps, timeout, outDir, replay })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The first option given that only --exec reads (verify without --exec would ignore it), or null.</summary>
    public string? GivenWithoutExec(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new Option[] { activations, losses, optimizers, layouts, dtype, maxSteps, timeout, outDir, replay }
            .FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;
    }

    public VerifyExecSettings Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new(
            parse.GetValue(activations), parse.GetValue(losses), parse.GetValue(optimizers), parse.GetValue(layouts), parse.GetValue(dtype)!,
            parse.GetValue(maxSteps), parse.GetValue(timeout), parse.GetValue(outDir)!, parse.GetValue(replay));
    }
}

/// <summary>
/// <c>backprop verify --exec "COMMAND"</c>: property-based testing of an implementation in any
/// language against libtorch. Exit 0 when every case agrees, 1 on a disagreement (with the
/// smallest failing case written as a fixture, the comparison table, the likely cause and a
/// replay command), 2 when the options are wrong or the command fails to answer.
/// Thread-safe: it holds no state.
/// </summary>
public static class VerifyExecCommand
{
    public static int Run(string command, int networks, int seed, VerifyExecSettings settings, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (string.IsNullOrWhiteSpace(command))
        {
            error.WriteLine("--exec: give the command to run, e.g. --exec \"python3 my_backprop.py\"");
            return 2;
        }

        if (Refusal(networks, settings, out VerifyOptions? options) is { } problem)
        {
            error.WriteLine(problem);
            return 2;
        }

        using var implementation = Start(command, settings, error);
        if (implementation is null)
        {
            return 2;
        }

        try
        {
            int exit = settings.Replay is { } fixturePath
                ? Replay(implementation, command, fixturePath, output, error)
                : Sweep(implementation, command, options! with { Networks = networks, Seed = seed }, settings, output, error);
            if (exit != 2)
            {
                implementation.Finish();
            }

            return exit;
        }
        catch (ImplementationException e)
        {
            error.WriteLine($"verify --exec: {e.Message}");
            return 2;
        }
    }

    private static ProcessImplementation? Start(string command, VerifyExecSettings settings, TextWriter error)
    {
        try
        {
            return new ProcessImplementation(command, TimeSpan.FromSeconds(settings.TimeoutSeconds));
        }
        catch (ImplementationException e)
        {
            error.WriteLine($"verify --exec: {e.Message}");
            return null;
        }
    }

    private static int Sweep(ProcessImplementation implementation, string command, VerifyOptions options, VerifyExecSettings settings, TextWriter output, TextWriter error)
    {
        var clock = Stopwatch.StartNew();
        VerifyOutcome outcome = WithProgress(options.Networks, output, report => Verifier.Run(implementation, TorchWitness.Instance, options, report));
        double seconds = clock.Elapsed.TotalSeconds;
        string skipped = Skipped(outcome);
        if (outcome.Failure is null && outcome.Compared == 0)
        {
            error.WriteLine($"verify --exec: none of the {options.Networks} random networks could be compared{skipped}, so nothing was checked; " +
                            "draw more with --networks, or others with --seed");
            return 2;
        }

        if (outcome.Failure is not { } failure)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"All {outcome.Compared} random networks agree with libtorch{skipped}: {options.DType.ToName()}, seeds {options.Seed} to {options.Seed + options.Networks - 1}, " +
                $"{seconds:0.0} s, {options.Networks / seconds:0} networks/s."));
            return 0;
        }

        string path = Path.Combine(settings.OutDir, $"{failure.Fixture.Name}.json");
        try
        {
            Directory.CreateDirectory(settings.OutDir);
            File.WriteAllText(path, FixtureWriter.Write(failure.Fixture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"--out: cannot write {path}: {e.Message}");
            return 2;
        }

        output.WriteLine($"Random network seed {failure.Original.Seed} disagrees with libtorch ({outcome.Compared} compared{skipped}); " +
                         $"shrunk {failure.ShrinkSteps} times to {Describe(failure.Smallest)}:");
        ResultsReport.Print("the smallest failing case", failure.Fixture.Header, failure.Check.Tolerance, failure.Check.Quantities, failure.Check.Findings, output);
        output.WriteLine($"The case, with libtorch's expectations: {path}");
        output.WriteLine($"Replay it: backprop verify --exec \"{command}\" --replay {path}");
        return 1;
    }

    /// <summary>What was judged step by step or not compared in full, and why, in words.</summary>
    private static string Skipped(VerifyOutcome outcome)
    {
        var parts = new List<string>();
        if (outcome.StepByStep > 0)
        {
            parts.Add($"{outcome.StepByStep} agreed step by step from their own state, where rounding grew past the tolerance end to end");
        }

        if (outcome.Shortened + outcome.Skipped > 0)
        {
            parts.Add($"{outcome.Shortened} compared over their first steps only and {outcome.Skipped} skipped: from the step where libtorch's own run " +
                      "overflowed or passed 1e6, or where rounding decided which side of a kink a pre-activation fell on, nothing compares fairly");
        }

        return parts.Count == 0 ? "" : $" ({string.Join("; ", parts)})";
    }

    private static int Replay(ProcessImplementation implementation, string command, string fixturePath, TextWriter output, TextWriter error)
    {
        Fixture fixture;
        try
        {
            fixture = FixtureReader.ReadFile(fixturePath);
        }
        catch (FixtureFormatException e)
        {
            error.WriteLine($"--replay: {fixturePath}: {e.Message}");
            return 2;
        }

        ResultsCheck check = ResultsCheck.Compare(fixture, implementation.Run(fixture));
        ResultsReport.Print($"\"{command}\" on {fixturePath}", fixture.Header, check.Tolerance, check.Quantities, check.Findings, output);
        return check.ExitCode;
    }

    /// <summary>A progress bar on a terminal; a plain line every tenth of the way when the output is redirected.</summary>
    private static T WithProgress<T>(int total, TextWriter output, Func<Action<int>, T> run)
    {
        if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected)
        {
            T result = default!;
            AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                ProgressTask task = context.AddTask("verify --exec", maxValue: total);
                result = run(done => task.Value = done);
            });
            return result;
        }

        int step = Math.Max(1, total / 10);
        return run(done =>
        {
            if (done % step == 0 && done < total)
            {
                output.WriteLine($"verify --exec: {done} of {total} networks agree so far");
            }
        });
    }

    private static string Describe(RandomNetwork n)
    {
        NetworkSpec spec = n.Case.Network;
        return $"{spec.Widths} [{string.Join(", ", spec.Layers.Select(l => l.Activation.ToString()))}], {spec.Loss}, " +
               $"{n.Case.Optimizer?.ToString() ?? "no optimizer"}, {n.Case.Steps} step(s), {n.Case.Layout}";
    }

    /// <summary>Every option checked before anything runs: names against the vocabulary, layouts, bounds.</summary>
    private static string? Refusal(int networks, VerifyExecSettings s, out VerifyOptions? options)
    {
        options = null;
        if (networks is < 1 or > VerifyCommand.MaxNetworks)
        {
            return $"--networks must be from 1 to {VerifyCommand.MaxNetworks}, got {networks}";
        }

        if (!DTypeNames.TryParse(s.DType, out DType dtype))
        {
            return $"--dtype: expected float32 or float64, got \"{s.DType}\"";
        }

        if (!(s.TimeoutSeconds > 0 && s.TimeoutSeconds <= 3600))
        {
            return $"--timeout: expected seconds above 0 and at most 3600, got {s.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)}";
        }

        static string[]? List(string? text) => text?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        RandomNetworkOptions bounds;
        try
        {
            bounds = RandomNetworkOptions.For(dtype, s.MaxSteps, List(s.Activations), List(s.Losses), List(s.Optimizers), List(s.Layouts));
        }
        catch (ArgumentException e)
        {
            // The vocabulary's lists are named as the options that give them.
            return e.Message.StartsWith("no ", StringComparison.Ordinal) ? $"verify --exec: {e.Message}" : $"--{e.Message}";
        }

        options = new VerifyOptions(dtype, networks, 1, bounds);
        return null;
    }
}
