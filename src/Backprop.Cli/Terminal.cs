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
