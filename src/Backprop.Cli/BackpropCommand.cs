using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Backprop.Core;

namespace Backprop.Cli;

/// <summary>The <c>backprop</c> command line: the walkthrough by default, and its subcommands. Thread-safe: it holds no state.</summary>
public static partial class BackpropCommand
{
    /// <summary>Runs the command line with the given writers; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var dtype = new Option<string>("--dtype")
        {
            Description = "float32 (as the article ran) or float64",
            DefaultValueFactory = _ => "float32",
        };
        dtype.AcceptOnlyFromAmong("float32", "float64");

        var root = new RootCommand(
            "Backprop.Verify: a reference backpropagation core, checked against libtorch. " +
            "With no command, walks through seed 004's worked example in the core and in libtorch side by side.")
        {
            dtype,
            CheckCommand.Create(output, error),
            FixturesCommand.Create(output, error),
            JacobiansCommand.Create(output),
            VerifyCommand.Create(output, error),
            TrainCommand.Create(output, error),
            BenchCommand.Create(output, error),
        };
        root.SetAction(parse =>
        {
            DTypeNames.TryParse(parse.GetValue(dtype), out DType d);
            return Walkthrough.Run(d, output);
        });

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Exit 1 means "a quantity mismatches" to check's callers, so usage errors exit 2.
            foreach (ParseError e in parsed.Errors)
            {
                error.WriteLine(Plain(e));
            }

            error.WriteLine("See 'backprop --help'.");
            return 2;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Every refusal of bad input is handled where it arises and exits 2. Anything that
            // gets here is a bug: say so in one line, with no stack trace, and an exit code of its own.
            error.WriteLine($"backprop: internal error, please report it: {e.GetType().Name}: {e.Message}");
            return InternalError;
        }
    }

    /// <summary>The exit code of a bug (an exception no command expected): EX_SOFTWARE, never 0, 1 or 2.</summary>
    public const int InternalError = 70;

    /// <summary>
    /// System.CommandLine's parse errors in plain words, each starting with the option it concerns:
    /// no .NET type names ("as expected type 'System.Int32'" says a whole number), and a value not
    /// among the choices says which option and which choices.
    /// </summary>
    internal static string Plain(ParseError error)
    {
        string? option = error.SymbolResult switch
        {
            OptionResult o => o.Option.Name,
            ArgumentResult { Parent: OptionResult o } => o.Option.Name,
            _ => null,
        };
        string message = Plain(error.Message);
        Match choice = NotAmong().Match(message);
        if (choice.Success)
        {
            string choices = string.Join(", ", choice.Groups["choice"].Captures.Select(c => c.Value));
            message = $"\"{choice.Groups["value"].Value}\" is not one of {choices}";
        }

        if (message.StartsWith("Required argument missing for option", StringComparison.Ordinal))
        {
            message = "a value is required";
        }

        return option is null || message.StartsWith(option, StringComparison.Ordinal) ? message : $"{option}: {message}";
    }

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?:\s*'(?<choice>[^']*)')+\s*$", RegexOptions.Singleline)]
    private static partial Regex NotAmong();

    private static string Plain(string message)
    {
        Match m = CannotParse().Match(message);
        if (!m.Success)
        {
            return message;
        }

        string type = m.Groups["type"].Value;
        string expected = type.Contains("System.Int32", StringComparison.Ordinal) ? "a whole number (of at most 10 digits)"
            : type.Contains("System.Double", StringComparison.Ordinal) ? "a number"
            : type.Contains("System.Boolean", StringComparison.Ordinal) ? "true or false"
            : "a value of another kind";
        return $"{m.Groups["name"].Value}: \"{m.Groups["value"].Value}\" is not {expected}";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?:option|command|argument) '(?<name>[^']*)' as expected type '(?<type>[^']*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex CannotParse();
}
