using System.CommandLine;
using Backprop.Core;

namespace Backprop.Cli;

/// <summary>The <c>backprop</c> command line: the walkthrough by default, and its subcommands.</summary>
public static class BackpropCommand
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
            foreach (var e in parsed.Errors)
            {
                error.WriteLine(e.Message);
            }

            error.WriteLine("See 'backprop --help'.");
            return 2;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
