using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Backprop.Core;
using Backprop.Oracle;
using Spectre.Console;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop bench [--quick] [--json]</c>: this machine's CPU and measured float32 FMA peak; the
/// MNIST-size step's three matrix products alone, in GFLOP/s and as a share of that peak; and one
/// training step of the core and of libtorch side by side, for each network the performance goals
/// name, each dtype and thread count, with the core's time over libtorch's, all in one run. For
/// the statistics (and allocations) use the BenchmarkDotNet project in bench/Backprop.Benchmarks.
/// </summary>
public static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var quick = new Option<bool>("--quick") { Description = "short rounds: a rough picture in well under a minute" };
        var json = new Option<bool>("--json") { Description = "print the results as one JSON object: cpu, peaks, products, steps" };
        var threads = new Option<string>("--threads")
        {
            Description = $"thread counts to run, comma-separated (both sides get the same): at most {MaxThreadCounts} of them, each from 1 to {MaxThreads} (8, or this machine's logical processors if more)",
            DefaultValueFactory = _ => "1,2",
        };
        var batch = new Option<int?>("--batch") { Description = $"override every case's batch size: 1 to {MaxBatch}" };
        var dtype = new Option<string>("--dtype")
        {
            Description = "float32, float64 or both",
            DefaultValueFactory = _ => "both",
        };
        dtype.AcceptOnlyFromAmong("float32", "float64", "both");
        var command = new Command("bench", "Time one training step of the core and libtorch side by side.") { quick, json, threads, batch, dtype };
        command.SetAction(parse => Run(parse.GetValue(quick), parse.GetValue(json), parse.GetValue(threads)!, parse.GetValue(batch), parse.GetValue(dtype)!, output, error));
        return command;
    }

    /// <summary>More threads than processors only measure the scheduler; far more never finish (1,000 on 2 cores ran past a minute).</summary>
    public static int MaxThreads => Math.Max(8, Environment.ProcessorCount);

    /// <summary>At most this many thread counts in one run.</summary>
    public const int MaxThreadCounts = 8;

    /// <summary>The largest batch a case may be timed with.</summary>
    public const int MaxBatch = 1024;

    /// <summary>Thread-safe: immutable.</summary>
    public sealed record Row(string Case, int Threads, string DType, double CoreMicros, double TorchMicros, double Gflops, double PeakGflops)
    {
        /// <summary>The core's time over libtorch's: below 1, the core is faster.</summary>
        public double CoreOverTorch => CoreMicros / TorchMicros;
    }

    /// <summary>Thread-safe: immutable.</summary>
    public sealed record ProductRow(string Product, int Threads, double Micros, double Gflops, double PeakGflops);

    public static int Run(bool quick, bool json, string threadList, int? batch, string dtypeName, TextWriter output, TextWriter error)
    {
        int[] threadCounts;
        try
        {
            threadCounts = threadList.Split(',').Select(t => int.TryParse(t.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) && v >= 1 && v <= MaxThreads
                ? v
                : throw new ArgumentException($"--threads: every thread count must be a whole number from 1 to {MaxThreads}, got \"{t.Trim()}\"")).ToArray();
            if (threadCounts.Length > MaxThreadCounts)
            {
                throw new ArgumentException($"--threads: {threadCounts.Length} thread counts are more than the limit of {MaxThreadCounts}");
            }

            if (batch is < 1 or > MaxBatch)
            {
                throw new ArgumentException($"--batch must be from 1 to {MaxBatch}, got {batch}");
            }
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }

        DType[] dtypes = dtypeName switch
        {
            "float32" => [DType.Float32],
            "float64" => [DType.Float64],
            _ => [DType.Float32, DType.Float64],
        };
        (TimeSpan round, int rounds) = quick ? (TimeSpan.FromMilliseconds(60), 3) : (TimeSpan.FromMilliseconds(400), 7);
        Dictionary<int, double> peaks = threadCounts.Distinct().ToDictionary(t => t, t => SpeedCases.PeakGflops(t, quick ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(1)));
        if (!json)
        {
            output.WriteLine($"CPU: {Machine.Cpu} ({Machine.Family}). Measured float32 FMA peak: {string.Join(", ", peaks.Select(p => $"{p.Value:0} GFLOP/s on {p.Key} thread(s)"))}.");
        }

        var rows = new List<Row>();
        foreach (SpeedCase original in SpeedCases.All)
        {
            SpeedCase speedCase = batch is int b ? original.WithBatch(b) : original;
            foreach (DType d in dtypes)
            {
                foreach (int t in threadCounts)
                {
                    (double core, double torch) = SpeedCases.Time(speedCase, d, t, round, rounds);
                    rows.Add(new Row(speedCase.Name, t, d.ToName(), core, torch, 2.0 * speedCase.MultiplyAdds / core / 1e3, peaks[t]));
                    if (!json)
                    {
                        output.WriteLine($"  {speedCase.Name} {d.ToName()} {t} thread(s): core {core:0.0} µs, libtorch {torch:0.0} µs");
                    }
                }
            }
        }

        // After the steps: timed first, the large products would leave the JIT's profile-guided
        // code tuned for them when the tiny network's step is timed (measured: 0.65 µs against 0.55).
        var products = new List<ProductRow>();
        foreach (ProductCase product in SpeedCases.Products)
        {
            foreach (int t in threadCounts)
            {
                double micros = SpeedCases.Time(product, t, round / 4, rounds * 2);
                products.Add(new ProductRow(product.Name, t, micros, 2.0 * product.MultiplyAdds / micros / 1e3, peaks[t]));
            }
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                cpu = Machine.Cpu,
                family = Machine.Family,
                peaks = peaks.Select(p => new { threads = p.Key, gflops = p.Value }),
                products = products.Select(p => new { product = p.Product, threads = p.Threads, micros = p.Micros, gflops = p.Gflops, ofPeak = p.Gflops / p.PeakGflops }),
                steps = rows.Select(r => new
                {
                    @case = r.Case,
                    threads = r.Threads,
                    dtype = r.DType,
                    coreMicros = r.CoreMicros,
                    torchMicros = r.TorchMicros,
                    coreOverTorch = r.CoreOverTorch,
                    gflops = r.Gflops,
                    ofPeak = r.Gflops / r.PeakGflops,
                }),
            }));
            return 0;
        }

        IAnsiConsole console = Terminal.For(output);
        console.Profile.Width = Math.Max(console.Profile.Width, 110);
        var productTable = new Table().Border(TableBorder.Ascii).Title("the MNIST-size step's products alone, float32, fastest round, split among the threads")
            .AddColumns("product", "threads", "µs", "GFLOP/s", "of peak");
        foreach (ProductRow p in products)
        {
            productTable.AddRow(p.Product, I(p.Threads), F(p.Micros), F(p.Gflops), $"{p.Gflops / p.PeakGflops:0%}");
        }

        console.Write(productTable);
        var table = new Table().Border(TableBorder.Ascii).Title("one SGD training step, fastest round of each side")
            .AddColumns("case", "dtype", "threads", "core µs", "libtorch µs", "core / libtorch", "core GFLOP/s", "of peak");
        foreach (Row r in rows)
        {
            table.AddRow(r.Case, r.DType, I(r.Threads), F(r.CoreMicros), F(r.TorchMicros), r.CoreOverTorch.ToString(r.CoreOverTorch < 0.01 ? "0.0000" : "0.00", CultureInfo.InvariantCulture), F(r.Gflops), $"{r.Gflops / r.PeakGflops:0%}");
        }

        console.Write(table);
        output.WriteLine($"CPU: {Machine.Cpu} ({Machine.Family}). GFLOP/s count matrix products only, against the float32 peak (float64 too).");
        return 0;
    }

    private static string I(int x) => x.ToString(CultureInfo.InvariantCulture);

    private static string F(double x) => x.ToString(x < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
}
