using System.Globalization;
using Backprop.Core;
using Backprop.Verification;
using Backprop.Core.Optimizers;
using Backprop.Oracle;

namespace Backprop.Cli;

/// <summary>
/// <c>backprop</c> with no command: seed 004's worked example, step by step as the article walks
/// it, with the core's numbers printed and libtorch's agreement stated for every line.
/// Thread-safe: it holds no state.
/// </summary>
public static class Walkthrough
{
    public static int Run(DType dtype, TextWriter output)
    {
        TrainingCase example = WorkedExample.Case;
        StepRecord<double> core = Trainer.Run(example, dtype)[0];
        StepRecord<double> torch = TorchOracle.Run(example, dtype)[0];
        var show = new Printer(output, dtype, Tolerance.For(dtype));
        NetworkSpec net = example.Network;
        int L = net.Layers.Count;
        string lr = ((Sgd)example.Optimizer!).Lr.ToString(CultureInfo.InvariantCulture);

        output.WriteLine($"Seed 004's worked example, from {WorkedExample.Article}:");
        output.WriteLine($"a {net.Widths} network ({string.Join(", ", net.Layers.Select(l => l.Activation.Name))}), " +
                         $"{net.Loss} cost, one SGD step with lr {lr}, in {dtype.ToName()}.");
        output.WriteLine($"Every number below is the core's; each line says whether libtorch ({TorchOracle.Versions}) agrees,");
        output.WriteLine($"by torch.testing.assert_close's rule |core − libtorch| ≤ atol + rtol·|libtorch| ({Tolerance.For(dtype)}).");

        show.Section("Given: the starting weights (out×in) and biases, the inputs (one sample per row) and the targets");
        for (int l = 1; l <= L; l++)
        {
            show.Given($"W{l}", example.Parameters[l - 1].Weight);
            show.Given($"b{l}", example.Parameters[l - 1].Bias);
        }

        show.Given("X = A0 (input)", example.Batches[0].X);
        show.Given("Y (target)", example.Batches[0].Y);

        show.Section("Forward propagation");
        for (int l = 1; l <= L; l++)
        {
            LayerRecord<double> c = core.Layers[l - 1], t = torch.Layers[l - 1];
            show.Matrix($"Z{l} = A{l - 1}·W{l}ᵀ + b{l}", c.Z, t.Z);
            show.Matrix($"A{l} = {net.Layers[l - 1].Activation.Name}(Z{l})", c.A, t.A);
        }

        show.Section("Cost");
        show.Scalar($"J = {net.Loss.Name}(A{L}, Y), reduction {net.Loss.Reduction.ToString().ToLowerInvariant()}", core.Cost, torch.Cost);

        show.Section("Backpropagation, from the cost back to layer 1");
        for (int l = L; l >= 1; l--)
        {
            LayerRecord<double> c = core.Layers[l - 1], t = torch.Layers[l - 1];
            show.Matrix(l == L ? $"∂J/∂A{l} (from the loss)" : $"∂J/∂A{l} = ∂J/∂Z{l + 1}·W{l + 1}", c.GradA, t.GradA);
            show.Matrix($"∂J/∂Z{l} = ∂J/∂A{l} ⊙ {net.Layers[l - 1].Activation.Name}'(Z{l})", c.GradZ, t.GradZ);
            show.Matrix($"∂J/∂W{l} = ∂J/∂Z{l}ᵀ·A{l - 1}", c.GradWeight, t.GradWeight);
            show.Vector($"∂J/∂b{l} = column sums of ∂J/∂Z{l}", c.GradBias, t.GradBias);
        }

        show.Section($"Update: θ ← θ − {lr}·∂J/∂θ (torch.optim.SGD)");
        for (int l = 1; l <= L; l++)
        {
            show.Matrix($"W{l}", core.Parameters![l - 1].Weight, torch.Parameters![l - 1].Weight);
            show.Vector($"b{l}", core.Parameters[l - 1].Bias, torch.Parameters[l - 1].Bias);
        }

        output.WriteLine();
        output.WriteLine(show.Failures == 0
            ? $"All {show.Count} quantities agree with libtorch, {show.Exact} of them exactly (on this machine: {Machine.Cpu})."
            : $"{show.Failures} of {show.Count} quantities DISAGREE with libtorch.");
        return show.Failures == 0 ? 0 : 1;
    }

    /// <summary>Prints a quantity in the core's numbers with libtorch's verdict on it.</summary>
    private sealed class Printer(TextWriter output, DType dtype, Tolerance tolerance)
    {
        public int Count { get; private set; }

        public int Failures { get; private set; }

        /// <summary>Quantities where every element equals libtorch's (which depends on the CPU libtorch runs on).</summary>
        public int Exact { get; private set; }

        public void Section(string title)
        {
            output.WriteLine();
            output.WriteLine(title);
        }

        public void Scalar(string label, double core, double torch)
        {
            Verdict(label, QuantityComparison.Compare(label, torch, core, tolerance));
            output.WriteLine($"      {Format(core)}");
        }

        public void Vector(string label, double[] core, double[] torch)
        {
            Verdict(label, QuantityComparison.Compare(label, torch, core, tolerance));
            output.WriteLine($"      {Rows(new Matrix<double>(1, core.Length, core))[0]}");
        }

        public void Matrix(string label, Matrix<double> core, Matrix<double> torch)
        {
            Verdict(label, QuantityComparison.Compare(label, torch, core, tolerance));
            Print(core);
        }

        /// <summary>An input both sides were given, in the dtype: printed, with nothing to compare.</summary>
        public void Given(string label, Matrix<double> value)
        {
            output.WriteLine($"  {label}");
            Print(value);
        }

        public void Given(string label, double[] value)
        {
            output.WriteLine($"  {label}");
            output.WriteLine($"      {Rows(new Matrix<double>(1, value.Length, value))[0]}");
        }

        private void Print(Matrix<double> core)
        {
            string[] rows = Rows(core);
            for (int r = 0; r < rows.Length; r++)
            {
                output.WriteLine($"     {(r == 0 ? "[" : " ")}{rows[r]}{(r == rows.Length - 1 ? "]" : ",")}");
            }
        }

        private void Verdict(string label, QuantityComparison result)
        {
            Count++;
            string verdict = result.Passed
                ? $"libtorch agrees, max |Δ| {(result.MaxAbsError == 0 ? "0" : result.MaxAbsError.ToString("0.##E+0", CultureInfo.InvariantCulture))}"
                : $"DISAGREES: {result.Describe(dtype)}";
            Failures += result.Passed ? 0 : 1;
            Exact += result.MaxAbsError == 0 ? 1 : 0;
            output.WriteLine($"  {label,-50} {verdict}");
        }

        /// <summary>Each row as "[a, b, c]", columns right-aligned, numbers in shortest round-trip form.</summary>
        private string[] Rows(Matrix<double> m)
        {
            string[,] cells = new string[m.Rows, m.Cols];
            var widths = new int[m.Cols];
            for (int r = 0; r < m.Rows; r++)
            {
                for (int c = 0; c < m.Cols; c++)
                {
                    cells[r, c] = Format(m[r, c]);
                    widths[c] = Math.Max(widths[c], cells[r, c].Length);
                }
            }

            return Enumerable.Range(0, m.Rows)
                .Select(r => "[" + string.Join(", ", Enumerable.Range(0, m.Cols).Select(c => cells[r, c].PadLeft(widths[c]))) + "]")
                .ToArray();
        }

        private string Format(double x) => dtype == DType.Float32
            ? ((float)x).ToString("R", CultureInfo.InvariantCulture)
            : x.ToString("R", CultureInfo.InvariantCulture);
    }
}
