using System.Globalization;
using System.Text;
using Backprop.Core;
using Backprop.Oracle;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Backprop.Cli;

/// <summary>
/// What <c>backprop train --out</c> writes for runs of the same settings in float32 and float64:
/// trajectory.csv (one row per dtype and step), loss.png (both implementations' minibatch loss)
/// and divergence.png (log scale, both dtypes).
/// Thread-safe: it holds no state.
/// </summary>
public static class TrainingFiles
{
    public const string Trajectory = "trajectory.csv", Loss = "loss.png", Divergence = "divergence.png";

    public static IReadOnlyList<string> Names => [Trajectory, Loss, Divergence];

    /// <summary>Each file's name and the code that writes it to a given path.</summary>
    public static IReadOnlyList<(string Name, Action<string> Write)> All(IReadOnlyList<TrainingResult> runs) =>
    [
        (Trajectory, path => File.WriteAllText(path, Csv(runs))),
        (Loss, path => LossPlot(runs).SavePng(path, 900, 500)),
        (Divergence, path => DivergencePlot(runs).SavePng(path, 900, 500)),
    ];

    public static string Csv(IReadOnlyList<TrainingResult> runs)
    {
        var csv = new StringBuilder("dtype,step,epoch,core_loss,torch_loss,max_relative_divergence\n");
        foreach (TrainingResult run in runs)
        {
            foreach (TrainingStep s in run.Steps)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{run.Options.DType.ToName()},{s.Step},{s.Epoch},{R(s.CoreLoss)},{R(s.TorchLoss)},{R(s.Divergence)}\n");
            }
        }

        return csv.ToString();
    }

    /// <summary>Round-trip formatting: the file holds the exact doubles.</summary>
    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Title(TrainingResult run) =>
        $"{run.Dataset}: {run.Network.Widths}, {run.Options.Activation}, {run.Options.Optimizer.Name}, batch {run.Options.BatchSize}, seed {run.Options.Seed}";

    private static Plot LossPlot(IReadOnlyList<TrainingResult> runs)
    {
        TrainingResult run = runs[0];
        var plot = new Plot();
        double[] steps = run.Steps.Select(s => (double)s.Step).ToArray();
        var core = plot.Add.ScatterLine(steps, run.Steps.Select(s => s.CoreLoss).ToArray());
        core.LegendText = "core";
        core.LineWidth = 3;
        var torch = plot.Add.ScatterLine(steps, run.Steps.Select(s => s.TorchLoss).ToArray());
        torch.LegendText = "libtorch";
        torch.LinePattern = LinePattern.Dashed;
        plot.Title($"{Title(run)}, {run.Options.DType.ToName()}: minibatch loss");
        plot.XLabel("step");
        plot.YLabel(run.Network.Loss.Name);
        plot.ShowLegend();
        return plot;
    }

    private static Plot DivergencePlot(IReadOnlyList<TrainingResult> runs)
    {
        var plot = new Plot();
        foreach (TrainingResult run in runs)
        {
            // A log scale has no 0: steps where the parameters agree bit for bit are left out, and counted in the legend.
            TrainingStep[] drawn = run.Steps.Where(s => s.Divergence > 0 && double.IsFinite(s.Divergence)).ToArray();
            var line = plot.Add.ScatterLine(drawn.Select(s => (double)s.Step).ToArray(), drawn.Select(s => Math.Log10(s.Divergence)).ToArray());
            int exact = run.Steps.Count(s => s.Divergence == 0);
            line.LegendText = $"{run.Options.DType.ToName()} (max {run.MaxRelativeDivergence.ToString("0.0E+0", CultureInfo.InvariantCulture)}" +
                              (exact > 0 ? $"; {exact} steps bitwise equal, not drawn)" : ")");
        }

        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y.ToString("0", CultureInfo.InvariantCulture)}",
        };
        plot.Title($"{Title(runs[0])}: core vs libtorch");
        plot.XLabel("step");
        plot.YLabel("max relative parameter divergence");
        plot.ShowLegend();
        return plot;
    }
}

/// <summary>
/// An output folder that receives all of its files or none: it is tried before the run, each file
/// is written under a temporary name, and only when every one is complete are they renamed into place.
/// Not thread-safe: one run opens it and writes its files.
/// </summary>
public sealed class OutputFolder
{
    private readonly string path;
    private readonly bool created;

    private OutputFolder(string path, bool created) => (this.path, this.created) = (path, created);

    public static bool TryOpen(string path, out OutputFolder? folder, out string? why)
    {
        folder = null;
        why = null;
        bool created = !Directory.Exists(path);
        try
        {
            Directory.CreateDirectory(path);
            string probe = Path.Combine(path, $".backprop-probe-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            folder = new OutputFolder(path, created);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            why = e.Message;
            if (created)
            {
                TryDeleteEmpty(path);
            }

            return false;
        }
    }

    /// <summary>Writes every file, or, on any failure, removes what was written (and the folder if this run made it).</summary>
    public bool TryWrite(IReadOnlyList<(string Name, Action<string> Write)> files, out string? failure)
    {
        failure = null;
        string tag = Guid.NewGuid().ToString("N");
        var temporary = files.Select(f => Path.Combine(path, $".{f.Name}.{tag}.partial")).ToArray();
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                files[i].Write(temporary[i]);
            }

            for (int i = 0; i < files.Count; i++)
            {
                File.Move(temporary[i], Path.Combine(path, files[i].Name), overwrite: true);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failure = e.Message;
            foreach (string t in temporary)
            {
                File.Delete(t);
            }

            Abandon();
            return false;
        }
    }

    /// <summary>Removes the folder if this run created it and it is still empty.</summary>
    public void Abandon()
    {
        if (created)
        {
            TryDeleteEmpty(path);
        }
    }

    private static void TryDeleteEmpty(string path)
    {
        try
        {
            if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: an empty folder left behind holds no half-written output.
        }
    }
}
