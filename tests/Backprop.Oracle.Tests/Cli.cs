using Backprop.Cli;

namespace Backprop.Oracle.Tests;

/// <summary>Runs the <c>backprop</c> command line in process, capturing both streams.</summary>
internal static class Cli
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = BackpropCommand.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
