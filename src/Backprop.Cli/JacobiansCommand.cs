using System.CommandLine;
using System.Globalization;
using Backprop.Core;
using Backprop.Verification;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop jacobians</c>: seed 004's Jacobians for the worked example, as the article writes
/// them (vec row-major, samples in rows), in full float64 precision, then the gradients they chain
/// to, with the delta-rule core's agreement.
/// Thread-safe: it holds no state.
/// </summary>
public static class JacobiansCommand
{
    public static Command Create(TextWriter output)
    {
        var dtype = new Option<string>("--dtype")
        {
            Description = "the delta-rule core's dtype: float64 (default) or float32, as the article ran; the Jacobians are always float64",
            DefaultValueFactory = _ => "float64",
        };
        dtype.AcceptOnlyFromAmong("float32", "float64");
        var command = new Command("jacobians", "Print seed 004's Jacobians for the worked example, and check their chain against the delta rule.") { dtype };
        command.SetAction(parse => Run(DTypeNames.TryParse(parse.GetValue(dtype), out DType d) ? d : DType.Float64, output));
        return command;
    }

    public static int Run(TextWriter output) => Run(DType.Float64, output);

    /// <summary>
    /// The Jacobians in float64, then the delta-rule core in <paramref name="dtype"/> against their
    /// chain, at that dtype's tolerance: float32's rounding stays inside float32's tolerance.
    /// </summary>
    public static int Run(DType dtype, TextWriter output)
    {
        TrainingCase example = WorkedExample.Case;
        JacobianRun witness = JacobianChain.Run(example);
        output.WriteLine("Seed 004's worked example, gradients by explicit Jacobians (float64; vec() stacks rows, samples in rows, W out×in).");
        output.WriteLine("Each gradient is a row vector times Jacobians, from the cost back: ∂J/∂vec(Z) = ∂J/∂vec(A)·∂vec(A)/∂vec(Z), and so on.");
        foreach (NamedJacobian j in witness.Jacobians)
        {
            output.WriteLine();
            output.WriteLine($"{j.Name}  ({j.Value.Shape})");
            foreach (string row in Rows(j.Value))
            {
                output.WriteLine($"  {row}");
            }
        }

        StepRecord<double> delta = Trainer.Run(example with { Optimizer = null }, dtype)[0];
        IReadOnlyList<QuantityComparison> results = StepComparison.Compare(
            1, StepExpectation.From(delta), witness.Step, Tolerance.For(dtype));
        output.WriteLine();
        output.WriteLine($"De-vectorised, against the delta-rule core in {dtype.ToName()} ({Tolerance.For(dtype)}):");
        foreach (QuantityComparison r in results)
        {
            output.WriteLine($"  {(r.Passed ? "agrees" : "DIFFERS")}  {r.Quantity,-32} max |Δ| {(r.MaxAbsError == 0 ? "0" : r.MaxAbsError.ToString("0.##E+0", CultureInfo.InvariantCulture))}");
        }

        return results.All(r => r.Passed) ? 0 : 1;
    }

    private static IEnumerable<string> Rows(Matrix<double> m)
    {
        string[,] cells = new string[m.Rows, m.Cols];
        var widths = new int[m.Cols];
        for (int r = 0; r < m.Rows; r++)
        {
            for (int c = 0; c < m.Cols; c++)
            {
                cells[r, c] = m[r, c].ToString("R", CultureInfo.InvariantCulture);
                widths[c] = Math.Max(widths[c], cells[r, c].Length);
            }
        }

        for (int r = 0; r < m.Rows; r++)
        {
            yield return "[" + string.Join(", ", Enumerable.Range(0, m.Cols).Select(c => cells[r, c].PadLeft(widths[c]))) + "]";
        }
    }
}
