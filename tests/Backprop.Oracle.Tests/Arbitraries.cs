using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using FsCheck;
using FsCheck.Fluent;

namespace Backprop.Oracle.Tests;

/// <summary>A generated training case and the dtype to run it in.</summary>
public sealed record NetworkCase(TrainingCase Case, DType DType)
{
    public override string ToString()
    {
        NetworkSpec n = Case.Network;
        return $"{DType.ToName()} {n.Widths} [{string.Join(", ", n.Layers.Select(l => l.Activation.Name))}] {n.Loss}, " +
               $"batch {Case.Layout.Samples(Case.Batches[0].X)}, {Case.Steps} step(s), {Case.Optimizer?.ToString() ?? "no optimizer"}, {Case.Layout}";
    }
}

/// <summary>
/// Random dense networks within what the core supports today: depth 1–4, widths 1–8, batch 1–6,
/// identity/relu/sigmoid hidden layers, a sigmoid output under BCE (mean or sum), SGD or none,
/// 1–3 steps, in any of the four layouts. Values come from two regimes: scaled uniform, and a coarse dyadic grid
/// ({−1, −½, 0, ½, 1}) on which pre-activations often hit ReLU's kink exactly.
/// <para>
/// Only float64 for now. libtorch's float32 GEMM sums in another order than a plain loop once
/// k ≥ 5, so Z may differ in the last bit, and a saturated sigmoid under BCE turns that bit into
/// a relative error of |z|·2⁻²³ in ∂J/∂A (found by this property: z ≈ −19.8 gave 1.9e-6 against
/// rtol 1.3e-6). In float64 the same amplification stays near 1e-14. The float32 cases with
/// fixed values (worked example, kinks, saturation) agree bitwise.
/// </para>
/// </summary>
public static class Arbitraries
{
    public static Arbitrary<NetworkCase> NetworkCases() => Arb.From(Cases(), Shrink);

    private static Gen<NetworkCase> Cases() =>
        from dtype in Gen.Constant(DType.Float64)
        from dyadic in Gen.Elements(false, true)
        from inputs in Gen.Choose(1, 8)
        from hidden in Gen.Choose(0, 3)
        from widths in Gen.Choose(1, 8).ArrayOf(hidden)
        from activations in Gen.Elements<Activation>(Identity.Instance, Relu.Instance, Sigmoid.Instance).ArrayOf(hidden)
        from batch in Gen.Choose(1, 6)
        from reduction in Gen.Elements(Reduction.Mean, Reduction.Sum)
        from optimizer in Gen.Elements<OptimizerSpec?>(null, new Sgd(0.1), new Sgd(0.05, Momentum: 0.9), new Sgd(0.2, Momentum: 0.5, Dampening: 0.1, WeightDecay: 0.01, Nesterov: false))
        from steps in Gen.Choose(1, 3)
        from seed in Gen.Choose(0, int.MaxValue)
        from layout in Gen.Elements(Layout.All.ToArray())
        select Build(dtype, dyadic, inputs, widths, activations, batch, reduction, optimizer, steps, seed, layout);

    private static NetworkCase Build(
        DType dtype, bool dyadic, int inputs, int[] widths, Activation[] activations, int batch,
        Reduction reduction, OptimizerSpec? optimizer, int steps, int seed, Layout layout)
    {
        var random = new Random(seed);
        double Value(double scale) => dyadic ? random.Next(-2, 3) / 2.0 : (random.NextDouble() * 2 - 1) * scale;

        var layers = widths.Zip(activations, (w, a) => new LayerSpec(w, a)).Append(new LayerSpec(1, Sigmoid.Instance)).ToArray();
        var spec = new NetworkSpec(inputs, layers, new BinaryCrossEntropy(reduction));
        var parameters = layers.Select((layer, i) =>
        {
            int fanIn = spec.InputsOf(i + 1);
            double scale = 1 / Math.Sqrt(fanIn); // nn.Linear's initial range
            var w = new Matrix<double>(layer.Units, fanIn);
            for (int k = 0; k < w.Data.Length; k++) w.Data[k] = Value(scale);
            return new LayerParameters<double>(w, Enumerable.Range(0, layer.Units).Select(_ => Value(scale)).ToArray());
        }).ToArray();
        var x = new Matrix<double>(batch, inputs);
        for (int k = 0; k < x.Data.Length; k++) x.Data[k] = Value(2);
        var y = new Matrix<double>(batch, 1);
        for (int k = 0; k < y.Data.Length; k++) y.Data[k] = random.Next(2);

        return new NetworkCase(new TrainingCase(spec, parameters, [new Batch<double>(x, y)], optimizer, steps).InLayout(layout), dtype);
    }

    /// <summary>Smaller cases first: one step, no optimizer, fewer samples.</summary>
    private static IEnumerable<NetworkCase> Shrink(NetworkCase c)
    {
        TrainingCase t = c.Case;
        if (t.Steps > 1) yield return c with { Case = t with { Steps = 1 } };
        if (t.Optimizer is not null) yield return c with { Case = t with { Optimizer = null } };
        Batch<double> b = t.Batches[0];
        if (t.Layout.Samples(b.X) > 1)
        {
            // One sample, taken in PyTorch's layout and turned back.
            TrainingCase rows = t.InLayout(Layout.RowsOutIn);
            Batch<double> r = rows.Batches[0];
            var x = new Matrix<double>(1, r.X.Cols, r.X.Row(0).ToArray());
            var y = new Matrix<double>(1, r.Y.Cols, r.Y.Row(0).ToArray());
            yield return c with { Case = (rows with { Batches = [new Batch<double>(x, y)] }).InLayout(t.Layout) };
        }
    }
}
