using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Backprop.Core;
using Backprop.Verification;
using Backprop.Oracle;
using Spectre.Console;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop verify --networks N [--seed S]</c>: a long sweep of random networks against
/// libtorch, as the property suite draws them (float64 at full size, float32 with inner dimensions
/// ≤ 3). Each is compared operation by operation (every quantity, the update included) and exits 1
/// on any disagreement there, naming the seeds to replay. float64 runs are also compared end to end
/// where the trajectory is well-posed, and the count is reported.
/// Thread-safe: it holds no state.
/// </summary>
public static class VerifyCommand
{
    /// <summary>The most networks one run checks (verify --exec too): a count past it is a typo, not a plan.</summary>
    public const int MaxNetworks = 1_000_000;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var networks = new Option<int?>("--networks", "-n")
        {
            Description = $"how many random networks to check, 1 to {MaxNetworks} (default 1000; with --exec, 200)",
        };
        var seed = new Option<int>("--seed", "-s")
        {
            Description = "the first seed; network i uses seed + i",
            DefaultValueFactory = _ => 1,
        };
        var exec = new VerifyExecOptions();
        var command = new Command(
            "verify",
            "Check the core, or with --exec an implementation in any language, against libtorch on many random networks.")
        {
            networks, seed,
        };
        exec.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(exec.Exec) is { } program)
            {
                return VerifyExecCommand.Run(program, parse.GetValue(networks) ?? 200, parse.GetValue(seed), exec.Read(parse), output, error);
            }

            if (exec.GivenWithoutExec(parse) is { } option)
            {
                error.WriteLine($"{option} applies only with --exec; verify alone checks the core on the whole vocabulary, in both dtypes");
                return 2;
            }

            return Run(parse.GetValue(networks) ?? 1000, parse.GetValue(seed), output, error);
        });
        return command;
    }

    public static int Run(int count, int firstSeed, TextWriter output, TextWriter error)
    {
        if (count is < 1 or > MaxNetworks)
        {
            error.WriteLine($"--networks must be from 1 to {MaxNetworks}, got {count}");
            return 2;
        }

        IAnsiConsole console = Terminal.For(output);
        var worst = new SortedDictionary<string, (double Abs, double Rel, double Ratio)>(StringComparer.Ordinal);
        var activations = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var losses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var optimizers = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var endToEnd = new List<string>();
        int endToEndCompared = 0, endToEndDiffering = 0;
        int kinks = 0, quantities = 0, overflowed = 0, diverged = 0;
        var clock = Stopwatch.StartNew();

        ProgressLines.Run(count, output, "verify", "networks checked", task =>
        {
            for (int i = 0; i < count; i++)
            {
                int seed = unchecked(firstSeed + i);
                RandomNetwork n = i % 3 == 2
                    ? RandomNetworks.Build(seed, DType.Float32, RandomNetworkOptions.Float32)
                    : RandomNetworks.Build(seed, DType.Float64);
                IReadOnlyList<StepRecord<double>> torch = TorchOracle.Run(n.Case, n.DType);
                if (n.Overflowed(torch))
                {
                    overflowed++;
                    task();
                    continue;
                }

                IReadOnlyList<StepRecord<double>> core = Trainer.Run(n.Case, n.DType);
                foreach (QuantityComparison r in Stepwise.Compare(n.Case, n.DType, torch))
                {
                    quantities++;
                    (double abs, double rel, double ratio) = worst.GetValueOrDefault(r.Name);
                    double used = r.WorstAllowed > 0 ? Tolerance.Distance(r.WorstActual, r.WorstExpected) / r.WorstAllowed : 0;
                    worst[r.Name] = (Max(abs, r.MaxAbsError), Max(rel, r.MaxRelError), Max(ratio, used));
                    if (!r.Passed && failures.Count < 20)
                    {
                        failures.Add($"seed {seed} ({n.DType.ToName()}): {r.Describe(n.DType)}");
                    }
                }

                bool divergedRun = n.Diverged(torch);
                diverged += divergedRun ? 1 : 0;
                if (n.DType == DType.Float64 && !divergedRun && n.SameBranches(torch, core))
                {
                    endToEndCompared++;
                    QuantityComparison? first = StepComparison.Compare(
                        torch.Select(StepExpectation.From).ToArray(), core, Tolerance.Float64).FirstOrDefault(r => !r.Passed);
                    if (first is not null)
                    {
                        endToEndDiffering++;
                        if (endToEnd.Count < 10) endToEnd.Add($"seed {seed}: {first.Describe()}");
                    }
                }

                kinks += n.HitsKink(core) ? 1 : 0;
                foreach (LayerSpec l in n.Case.Network.Layers) Count(activations, l.Activation.ToString());
                Count(losses, n.Case.Network.Loss.Name);
                Count(optimizers, n.Case.Optimizer?.Name ?? "none");
                task();
            }
        });

        double seconds = clock.Elapsed.TotalSeconds;
        var table = new Table().Border(TableBorder.Ascii).Title("operation by operation").AddColumns("quantity", "worst |Δ|", "worst rel", "worst |Δ|/allowed");
        foreach ((string name, (double abs, double rel, double ratio)) in worst)
        {
            table.AddRow(Markup.Escape(name), F(abs), F(rel), ratio.ToString("0.000", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        output.WriteLine("An element agrees when |core − libtorch| ≤ atol + rtol·|libtorch|. worst |Δ| and worst rel are the largest over all networks");
        output.WriteLine("and grow with the values themselves (|Δ| is large where the values are, rel is Infinity where libtorch gives 0 and");
        output.WriteLine("the core a number within atol of it); the last column, |Δ| over what is allowed there, decides: at most 1 is agreement.");
        output.WriteLine($"{count} networks ({quantities} quantities) in {seconds:0.0} s, {count / seconds:0} networks/s; " +
                         $"{kinks} networks hit a kink exactly (z = 0 at relu, leaky_relu or elu); " +
                         $"{overflowed} overflowed in libtorch itself and were not compared; " +
                         $"{diverged} diverged past 1e6 and were compared operation by operation only.");
        output.WriteLine($"activations: {Join(activations)}");
        output.WriteLine($"losses: {Join(losses)}");
        output.WriteLine($"optimizers: {Join(optimizers)}");
        output.WriteLine($"end to end (float64, bounded runs, kink branches agreeing): {endToEndCompared - endToEndDiffering} of {endToEndCompared} agree within tolerance.");
        if (endToEnd.Count > 0)
        {
            output.WriteLine("  The rest are ill-conditioned trajectories (a cancellation that magnifies in-tolerance rounding), not");
            output.WriteLine("  disagreements of any operation, which all agree above. First differing quantity of each:");
            endToEnd.ForEach(e => output.WriteLine($"  {e}"));
        }

        if (failures.Count == 0)
        {
            output.WriteLine("Every operation agrees with libtorch.");
            return 0;
        }

        output.WriteLine("DISAGREEMENTS (replay one with: backprop verify --networks 1 --seed SEED):");
        failures.ForEach(f => output.WriteLine($"  {f}"));
        return 1;
    }

    private static void Count(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static string Join(SortedDictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));

    private static double Max(double a, double b) => double.IsNaN(b) ? a : Math.Max(a, b);

    private static string F(double x) => x.ToString("0.00E+0", CultureInfo.InvariantCulture);
}
