using Backprop.Core;
using Backprop.Verification;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Oracle.Tests;

/// <summary>
/// Every invalid spec is refused with an ArgumentException by the core and by the oracle, before
/// libtorch sees it: never a process abort, never a silently wrong number.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class InvalidSpecTests
{
    private static readonly (string Name, Func<TrainingCase, TrainingCase> Break)[] Breaks =
    [
        ("a layer of zero units", c => c with { Network = c.Network with { Layers = c.Network.Layers.Select((l, i) => i == 0 ? l with { Units = 0 } : l).ToArray() } }),
        ("zero inputs", c => c with { Network = c.Network with { Inputs = 0 } }),
        ("a transposed weight", c => c with { Parameters = c.Parameters.Select((p, i) => i == 0 ? p with { Weight = new Matrix<double>(p.Weight.Cols + 1, p.Weight.Rows) } : p).ToArray() }),
        ("a short bias", c => c with { Parameters = c.Parameters.Select((p, i) => i == c.Parameters.Count - 1 ? p with { Bias = p.Bias.Skip(1).ToArray() } : p).ToArray() }),
        ("a long bias", c => c with { Parameters = c.Parameters.Select((p, i) => i == 0 ? p with { Bias = [.. p.Bias, 0] } : p).ToArray() }),
        ("a target outside [0, 1] under BCE", c => c with { Network = c.Network with { Loss = new BinaryCrossEntropy() }, Batches = c.Batches.Select(b => b with { Y = Filled(ShortY(c, b, 0), 2), Targets = TargetKind.Values }).ToArray() }),
        ("a class index out of range", c => c with { Network = c.Network with { Loss = new CrossEntropy() }, Batches = c.Batches.Select(b => b with { Y = new Matrix<double>(c.Layout.SampleCount(b.X), 1, Enumerable.Repeat((double)c.Network.Layers[^1].Units, c.Layout.SampleCount(b.X)).ToArray()), Targets = TargetKind.ClassIndices }).ToArray() }),
        ("a fractional class index", c => c with { Network = c.Network with { Loss = new CrossEntropy() }, Batches = c.Batches.Select(b => b with { Y = new Matrix<double>(c.Layout.SampleCount(b.X), 1, Enumerable.Repeat(0.5, c.Layout.SampleCount(b.X)).ToArray()), Targets = TargetKind.ClassIndices }).ToArray() }),
        ("one set of parameters too few", c => c with { Parameters = c.Parameters.Skip(1).ToArray() }),
        ("x one feature too wide", c => c with { Batches = c.Batches.Select(b => b with { X = Widen(b.X, c.Layout) }).ToArray() }),
        ("y one sample short", c => c with { Batches = c.Batches.Select(b => b with { Y = ShortY(c, b), Targets = TargetKind.Values }).ToArray() }),
        ("no batches", c => c with { Batches = [] }),
        ("zero steps", c => c with { Steps = 0 }),
        ("a negative learning rate", c => c with { Optimizer = new Sgd(-0.1) }),
        ("a beta of 1", c => c with { Optimizer = new Adam(0.01, Beta1: 1) }),
    ];

    [Property(MaxTest = 200, Replay = "(1231231231,4564564561)")]
    public Property Every_Invalid_Spec_Is_Refused_By_Core_And_Oracle(int seed, int which)
    {
        (string name, Func<TrainingCase, TrainingCase> breakIt) = Breaks[Math.Abs(which % Breaks.Length)];
        TrainingCase broken = breakIt(RandomNetworks.Case(seed, new(MaxDepth: 3, MaxWidth: 5, MaxBatch: 4, MaxInputs: 5, MaxSteps: 3, Regime: ValueRegime.Gaussian)).InLayout(Layout.All[Math.Abs(seed % 4)]));
        Should.Throw<ArgumentException>(() => Trainer.Run(broken, DType.Float64), name);
        Should.Throw<ArgumentException>(() => TorchOracle.Run(broken, DType.Float32), name);
        return true.ToProperty().Collect(name);
    }

    [Fact]
    public void An_Unknown_Activation_Is_Refused_By_The_Oracle_In_CSharp()
    {
        TrainingCase c = RandomNetworks.Case(3, new(MaxDepth: 3, MaxWidth: 5, MaxBatch: 4, MaxInputs: 5, MaxSteps: 3, Regime: ValueRegime.Gaussian));
        TrainingCase unknown = c with { Network = c.Network with { Layers = c.Network.Layers.Select(l => l with { Activation = new Unknown() }).ToArray() } };
        Should.Throw<NotSupportedException>(() => TorchOracle.Run(unknown, DType.Float64)).Message.ShouldContain("no libtorch counterpart");
    }

    private static Matrix<double> Filled(Matrix<double> m, double value)
    {
        Array.Fill(m.Data, value);
        return m;
    }

    /// <summary>A target shaped for <paramref name="fewer"/> samples fewer than x holds.</summary>
    private static Matrix<double> ShortY(TrainingCase c, Batch<double> b, int fewer = 1)
    {
        int n = c.Layout.SampleCount(b.X) - fewer, outputs = c.Network.Layers[^1].Units;
        (int rows, int cols) = c.Layout.SampleShape(n, outputs);
        return new Matrix<double>(rows, cols);
    }

    private static Matrix<double> Widen(Matrix<double> x, Layout layout)
        => layout.SamplesInColumns ? new Matrix<double>(x.Rows + 1, x.Cols) : new Matrix<double>(x.Rows, x.Cols + 1);

    private sealed class Unknown : ElementwiseActivation
    {
        public override string Name => "swish";

        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a) => z.CopyTo(a);

        public override double Derivative(double z, double a) => 1;

        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ) => dA.CopyTo(dZ);
    }
}
