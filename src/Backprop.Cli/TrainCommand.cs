using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Backprop.Core;
using Backprop.Verification;
using Backprop.Core.Activations;
using Backprop.Cli;
using Backprop.Core.Optimizers;
using Backprop.Oracle;
using Spectre.Console;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop train --dataset digits|breast-cancer</c>: trains the core and libtorch side by side
/// on a shipped data set (<see cref="SideBySideTraining"/>), shows progress, and prints both
/// implementations' accuracies and their parameters' divergence per epoch. <c>--out DIR</c> writes
/// trajectory.csv and the plots; <c>--json</c> prints a summary object. Exit 0 when done, 2 for bad
/// options or data, with nothing written.
/// Thread-safe: it holds no state.
/// </summary>
public static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var dataset = new Option<string>("--dataset", "-d")
        {
            Description = $"the data set: {string.Join(" or ", Dataset.Known.Keys)}",
            Required = true,
        };
        var layers = new Option<string>("--layers")
        {
            Description = $"hidden layer widths, comma-separated (\"\" for none): at most {TrainingOptions.MaxHiddenLayers} layers, each 1 to {TrainingOptions.MaxWidth} units, and at most {TrainingOptions.MaxWeights} weights in the whole network",
            DefaultValueFactory = _ => "64,32",
        };
        var activation = new Option<string>("--activation")
        {
            Description = $"the hidden layers' activation, with PyTorch's default settings: {string.Join(", ", Vocabulary.Activations.Select(k => k.Name))}",
            DefaultValueFactory = _ => "relu",
        };
        var optimizer = new Option<string>("--optimizer")
        {
            Description = "sgd (with momentum), adam or adamw",
            DefaultValueFactory = _ => "sgd",
        };
        var lr = new Option<double?>("--lr") { CustomParser = r => Numbers.Parse(r), Description = "learning rate (default: 0.01 for sgd, 0.001 for adam and adamw): finite, at least 0, and fitting the dtype (in float32 at most 3.4E+38; for adam and adamw, lr / (1 − 0.9) too)" };
        var momentum = new Option<double>("--momentum")
        {
            CustomParser = Numbers.Parse,
            Description = "sgd's momentum: finite and at least 0",
            DefaultValueFactory = _ => 0.9,
        };
        var weightDecay = new Option<double?>("--weight-decay") { CustomParser = r => Numbers.Parse(r), Description = "weight decay (default: 0, and 0.01 for adamw as in PyTorch): finite, at least 0, fitting the dtype" };
        var epochs = new Option<int>("--epochs")
        {
            Description = $"passes over the training set: at least 1, and at most {TrainingOptions.MaxSteps} steps in all (epochs × minibatches per epoch)",
            DefaultValueFactory = _ => new TrainingOptions().Epochs,
        };
        var batch = new Option<int>("--batch")
        {
            Description = "minibatch size: 1 to the training set's size",
            DefaultValueFactory = _ => new TrainingOptions().BatchSize,
        };
        var dtype = new Option<string>("--dtype")
        {
            Description = "float32 or float64",
            DefaultValueFactory = _ => "float32",
        };
        dtype.AcceptOnlyFromAmong("float32", "float64");
        var seed = new Option<int>("--seed", "-s")
        {
            Description = "seeds the split, the starting weights and the minibatch order",
            DefaultValueFactory = _ => 1,
        };
        var data = new Option<string?>("--data") { Description = $"folder holding the data files (default: the repository's fixtures/data, else the copy shipped with the program); each file is read only if it is a regular file of at most {Dataset.MaxFileBytes} bytes with the shipped checksum" };
        var outDir = new Option<string?>("--out") { Description = "folder to write trajectory.csv and the plots to" };
        var json = new Option<bool>("--json") { Description = "print a summary object as JSON instead of the tables" };

        var command = new Command("train", "Train the core and libtorch side by side on a real data set and measure their divergence.")
        {
            dataset, layers, activation, optimizer, lr, momentum, weightDecay, epochs, batch, dtype, seed, data, outDir, json,
        };
        command.SetAction(parse =>
        {
            string? problem = null;
            TrainingOptions? options = null;
            try
            {
                options = new TrainingOptions
                {
                    Hidden = ParseLayers(parse.GetValue(layers)!),
                    Activation = Vocabulary.Activation(parse.GetValue(activation)!)?.Default
                        ?? throw new ArgumentException($"--activation: unknown \"{parse.GetValue(activation)}\"; known: {string.Join(", ", Vocabulary.Activations.Select(k => k.Name))}"),
                    Optimizer = Optimizer(parse.GetValue(optimizer)!, parse.GetValue(lr), parse.GetValue(momentum), parse.GetValue(weightDecay)),
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    DType = DTypeNames.TryParse(parse.GetValue(dtype), out DType d) ? d : DType.Float32,
                    Seed = parse.GetValue(seed),
                };
                try
                {
                    options.Optimizer.Validate(options.DType);
                }
                catch (ArgumentException e)
                {
                    // The optimizer's words name its setting (lr, weight_decay); say which options gave it.
                    throw new ArgumentException(
                        $"--optimizer {options.Optimizer.Name} {Given("--lr", parse.GetValue(lr))}{(options.Optimizer.Settings.Any(x => x.Name == "momentum") ? Given("--momentum", parse.GetValue(momentum)) : "")}" +
                        $"{Given("--weight-decay", parse.GetValue(weightDecay))}--dtype {options.DType.ToName()}: {e.Message}");
                }

                options.Validate();
            }
            catch (ArgumentException e)
            {
                problem = e.Message;
            }

            if (problem is not null)
            {
                error.WriteLine(problem);
                return 2;
            }

            return Run(parse.GetValue(dataset)!, options!, parse.GetValue(data), parse.GetValue(outDir), parse.GetValue(json), output, error);
        });
        return command;
    }

    private static string Given(string option, double? value) => value is { } v ? $"{option} {v.ToString("R", CultureInfo.InvariantCulture)} " : "";

    private static int[] ParseLayers(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        return text.Split(',').Select(part => int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int w) && w >= 1
            ? w
            : throw new ArgumentException($"--layers: \"{part}\" is not a positive width; give widths like 64,32")).ToArray();
    }

    /// <summary>
    /// The named optimizer with torch.optim's defaults, except where the options say otherwise:
    /// --lr (SGD's default here is 0.01, not torch's 1e-3), --momentum (for optimizers that have
    /// one), --weight-decay.
    /// </summary>
    private static OptimizerSpec Optimizer(string name, double? lr, double momentum, double? weightDecay)
    {
        Kind<OptimizerSpec> kind = Vocabulary.Optimizer(name)
            ?? throw new ArgumentException($"--optimizer: unknown \"{name}\"; known: {string.Join(", ", Vocabulary.Optimizers.Select(k => k.Name))}");
        var given = new Dictionary<string, object>();
        double? rate = lr ?? (kind == Sgd.Kind ? 0.01 : null);
        if (rate is { } r) given["lr"] = r;
        if (kind.Defaults.Any(s => s.Name == "momentum")) given["momentum"] = momentum;
        if (weightDecay is double decay) given["weight_decay"] = decay;
        return kind.Create(given);
    }

    public static int Run(string datasetName, TrainingOptions options, string? dataDir, string? outDir, bool json, TextWriter output, TextWriter error)
    {
        Dataset dataset;
        try
        {
            string? dir = dataDir ?? Locations.Data();
            if (dir is null)
            {
                error.WriteLine("no --data given, and neither the repository (Backprop.Verify.sln above the current folder) nor the program's own folder has fixtures/data");
                return 2;
            }

            dataset = Dataset.Load(datasetName, dir);

            // Everything that can be refused is refused before any training, for both dtypes when --out trains both.
            SideBySideTraining.Check(dataset, options);
            if (outDir is not null)
            {
                SideBySideTraining.Check(dataset, options with { DType = options.DType == DType.Float32 ? DType.Float64 : DType.Float32 });
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return 2;
        }

        // The output folder is tried before the run, so a bad --out costs no training time.
        OutputFolder? folder = null;
        if (outDir is not null && !OutputFolder.TryOpen(outDir, out folder, out string? why))
        {
            error.WriteLine($"--out: cannot write to {outDir}: {why}");
            return 2;
        }

        TrainingResult result;
        var runs = new List<TrainingResult>();
        try
        {
            result = json ? SideBySideTraining.Run(dataset, options) : RunWithProgress(dataset, options, output);
            runs.Add(result);
            if (folder is not null)
            {
                // The plots compare float32 with float64, so the other dtype trains too, from the same seed.
                TrainingOptions other = options with { DType = options.DType == DType.Float32 ? DType.Float64 : DType.Float32 };
                runs.Add(json ? SideBySideTraining.Run(dataset, other) : RunWithProgress(dataset, other, output));
            }
        }
        catch (ArgumentException e)
        {
            folder?.Abandon();
            error.WriteLine(e.Message);
            return 2;
        }

        if (folder is not null && !folder.TryWrite(TrainingFiles.All(runs), out string? failure))
        {
            error.WriteLine($"--out: writing to {outDir} failed, nothing was left there: {failure}");
            return 2;
        }

        if (json)
        {
            output.WriteLine(Summary(result));
        }
        else
        {
            Report(result, output);
            if (folder is not null)
            {
                output.WriteLine($"wrote {string.Join(", ", TrainingFiles.Names)} to {outDir}");
            }
        }

        return 0;
    }

    private static TrainingResult RunWithProgress(Dataset dataset, TrainingOptions options, TextWriter output)
    {
        if (!Terminal.IsInteractive(output))
        {
            // Redirected: no progress lines; the table after the run says everything per epoch.
            return SideBySideTraining.Run(dataset, options);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        TrainingResult? result = null;
        console.Progress().AutoClear(false).Start(progress =>
        {
            ProgressTask task = progress.AddTask($"{dataset.Name} {options.DType.ToName()}", maxValue: SideBySideTraining.TotalSteps(dataset, options));
            result = SideBySideTraining.Run(
                dataset,
                options,
                step => task.Increment(1),
                epoch => task.Description = Markup.Escape(
                    $"{dataset.Name} {options.DType.ToName()} epoch {epoch.Epoch}: loss {epoch.CoreLoss:0.0000}, test accuracy {epoch.CoreTestAccuracy:0.000} (core) {epoch.TorchTestAccuracy:0.000} (libtorch)"));
        });
        return result!;
    }

    private static void Report(TrainingResult r, TextWriter output)
    {
        IAnsiConsole console = Terminal.For(output);
        console.Profile.Width = Math.Max(console.Profile.Width, 120); // the eight columns do not fit 80, a redirected output's default
        var table = new Table().Border(TableBorder.Ascii)
            .Title(Markup.Escape($"{r.Dataset}: {r.Network.Widths}, {r.Options.Activation}, {r.Options.Optimizer.Name}, batch {r.Options.BatchSize}, {r.Options.DType.ToName()}, seed {r.Options.Seed}"))
            .AddColumns("epoch", "loss core", "loss libtorch", "train acc core", "train acc libtorch", "test acc core", "test acc libtorch", "max divergence");
        foreach (TrainingEpoch e in r.Epochs)
        {
            table.AddRow(
                e.Epoch.ToString(CultureInfo.InvariantCulture), F4(e.CoreLoss), F4(e.TorchLoss),
                F4(e.CoreTrainAccuracy), F4(e.TorchTrainAccuracy), F4(e.CoreTestAccuracy), F4(e.TorchTestAccuracy), E(e.MaxDivergence));
        }

        console.Write(table);
        output.WriteLine($"{r.Steps.Count} steps on {r.TrainSamples} training samples; test set {r.TestSamples} samples.");
        output.WriteLine($"train accuracy: core {F4(r.Final.CoreTrainAccuracy)}, libtorch {F4(r.Final.TorchTrainAccuracy)}");
        output.WriteLine($"test accuracy:  core {F4(r.Final.CoreTestAccuracy)}, libtorch {F4(r.Final.TorchTestAccuracy)}");
        output.WriteLine($"max relative parameter divergence (max over tensors of ‖core − libtorch‖∞ / ‖libtorch‖∞): {E(r.MaxRelativeDivergence)}");
    }

    /// <summary>The --json summary.</summary>
    public static string Summary(TrainingResult r) => JsonSerializer.Serialize(new
    {
        dataset = r.Dataset,
        dtype = r.Options.DType.ToName(),
        epochs = r.Epochs.Count,
        steps = r.Steps.Count,
        coreTestAccuracy = r.Final.CoreTestAccuracy,
        torchTestAccuracy = r.Final.TorchTestAccuracy,
        maxRelativeDivergence = Finite(r.MaxRelativeDivergence),
        coreTrainAccuracy = r.Final.CoreTrainAccuracy,
        torchTrainAccuracy = r.Final.TorchTrainAccuracy,
        layers = r.Network.Widths,
        activation = r.Options.Activation.ToString(),
        optimizer = r.Options.Optimizer.Name,
        batch = r.Options.BatchSize,
        seed = r.Options.Seed,
        maxRelativeDivergencePerEpoch = r.Epochs.Select(e => Finite(e.MaxDivergence)).ToArray(),
    });

    /// <summary>JSON has no NaN or ∞: those are written as null, never as a number.</summary>
    private static double? Finite(double x) => double.IsFinite(x) ? x : null;

    private static string F4(double x) => x.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string E(double x) => x.ToString("0.00E+00", CultureInfo.InvariantCulture);
}
