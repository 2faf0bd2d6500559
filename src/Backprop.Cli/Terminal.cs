using Spectre.Console;

namespace Backprop.Cli;

/// <summary>Whether output goes to a person at a terminal: only then do progress bars draw. Thread-safe: it holds no state.</summary>
public static class Terminal
{
    /// <summary>
    /// True when <paramref name="output"/> is the process's console and it is not redirected. A
    /// redirected or captured output gets no progress bar: Spectre.Console would fall back to a
    /// line per percent, which fills a log.
    /// </summary>
    public static bool IsInteractive(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>A Spectre console writing tables to <paramref name="output"/>, with colour codes only at a terminal: a log gets plain text.</summary>
    public static IAnsiConsole For(TextWriter output) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = IsInteractive(output) ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = IsInteractive(output) ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    });
}

/// <summary>
/// Progress for a long loop: a bar at a terminal; with the output redirected, a plain line every
/// tenth of the way ("verify: 100 of 1000 networks checked"), never a line per percent.
/// Thread-safe: it holds no state.
/// </summary>
public static class ProgressLines
{
    /// <summary>Runs <paramref name="body"/>, which calls the action it is given once per item done.</summary>
    public static void Run(int total, TextWriter output, string label, string unit, Action<Action> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(body);
        if (Terminal.IsInteractive(output))
        {
            AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                ProgressTask task = context.AddTask(label, maxValue: total);
                body(() => task.Increment(1));
            });
            return;
        }

        int done = 0, every = Math.Max(1, total / 10);
        body(() =>
        {
            done++;
            if (done % every == 0 && done < total)
            {
                output.WriteLine($"{label}: {done} of {total} {unit}");
            }
        });
    }
}

/// <summary>Numbers on the command line, read strictly. Thread-safe: it holds no state.</summary>
public static class Numbers
{
    /// <summary>
    /// A parser for a number option: "1.5", "1e-3", "NaN" and "Infinity" (refused later where
    /// they do not fit), invariant culture, and nothing else. System.CommandLine's own parse
    /// allows thousands separators, so "--lr 1,5" silently became 15.
    /// </summary>
    public static double Parse(System.CommandLine.Parsing.ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value))
        {
            return value;
        }

        string option = (result.Parent as System.CommandLine.Parsing.OptionResult)?.Option.Name ?? "the value";
        result.AddError($"{option}: \"{text}\" is not a number (write it like 0.001 or 1e-3, with a point, never a comma)");
        return 0;
    }
}
