using System.Numerics;
using Backprop.Core.Kernels;

namespace Backprop.Core.Optimizers;

/// <summary>
/// Stochastic gradient descent, as <c>torch.optim.SGD</c>. For each parameter p with gradient g:
/// <code>
///   g ← g + weight_decay·p                                   (when weight_decay ≠ 0)
///   buf ← g on the first step, else momentum·buf + (1 − dampening)·g   (when momentum ≠ 0)
///   g ← g + momentum·buf if nesterov, else buf
///   p ← p − lr·g
/// </code>
/// The first momentum step copies g undamped, as PyTorch does. Each "x + α·y" is one fused
/// multiply-add, as libtorch's add with alpha computes it (one rounding, not two).
/// Thread-safe: immutable settings; each optimizer it creates is not thread-safe.
/// </summary>
public sealed record Sgd(
    double Lr,
    double Momentum = 0,
    double Dampening = 0,
    double WeightDecay = 0,
    bool Nesterov = false) : OptimizerSpec
{
    /// <summary>torch.optim.SGD's defaults, with its default lr of 1e-3.</summary>
    public static Kind<OptimizerSpec> Kind { get; } = new(
        new Sgd(1e-3), s => new Sgd(s.Number("lr"), s.Number("momentum"), s.Number("dampening"), s.Number("weight_decay"), s.Flag("nesterov")));

    public override string Name => "sgd";

    public override IReadOnlyList<Setting> Settings =>
        [new("lr", Lr), new("momentum", Momentum), new("dampening", Dampening), new("weight_decay", WeightDecay), new("nesterov", Nesterov)];

    public override Optimizer<T> Create<T>()
    {
        Validate(DTypeNames.Of<T>());
        return new SgdOptimizer<T>(this);
    }

    protected override IEnumerable<(string What, double Value)> Scalars =>
        [("lr", Lr), ("weight_decay", WeightDecay), ("momentum", Momentum), ("1 − dampening", 1 - Dampening)];

    public override void Validate()
    {
        Require(double.IsFinite(Lr) && Lr >= 0, $"Invalid learning rate: {Lr} (it must be a finite number ≥ 0)");
        Require(double.IsFinite(Momentum) && Momentum >= 0, $"Invalid momentum value: {Momentum} (it must be a finite number ≥ 0)");
        Require(double.IsFinite(Dampening), $"Invalid dampening value: {Dampening} (it must be finite)");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, $"Invalid weight_decay value: {WeightDecay} (it must be a finite number ≥ 0)");
        Require(
            !Nesterov || (Momentum > 0 && Dampening == 0),
            $"Nesterov momentum requires a momentum and zero dampening (momentum {Momentum}, dampening {Dampening})");

        // Stricter than torch.optim, which accepts it: with Nesterov, momentum ≥ 1 makes the
        // look-ahead grow without bound.
        Require(!Nesterov || Momentum < 1, $"Nesterov momentum must be below 1, got {Momentum}");
    }

    private sealed class SgdOptimizer<T>(Sgd settings) : Optimizer<T>
        where T : IFloatingPointIeee754<T>
    {
        private readonly Dictionary<int, T[]> momentumBuffers = [];

        /// <summary>Each tensor's working copy of its gradient, kept between steps so a step allocates nothing.</summary>
        private readonly Dictionary<int, T[]> scratch = [];

        protected override void Update(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
        {
            T lr = T.CreateChecked(settings.Lr);
            T momentum = T.CreateChecked(settings.Momentum);
            T decay = T.CreateChecked(settings.WeightDecay);
            T keep = T.CreateChecked(1 - settings.Dampening);
            for (int i = 0; i < parameters.Count; i++)
            {
                T[] p = parameters[i];
                if (settings.WeightDecay == 0 && settings.Momentum == 0)
                {
                    // Plain SGD: p ← p − lr·g straight from the gradient, no working copy needed.
                    Fused.MultiplyAdd(-lr, gradients[i], p, Kernels);
                    continue;
                }

                if (!scratch.TryGetValue(i, out T[]? g) || g.Length != gradients[i].Length)
                {
                    g = new T[gradients[i].Length];
                    scratch[i] = g;
                }

                gradients[i].CopyTo(g, 0);
                if (settings.WeightDecay != 0)
                {
                    Fused.MultiplyAdd(decay, p, g, Kernels);
                }

                if (settings.Momentum != 0)
                {
                    if (!momentumBuffers.TryGetValue(i, out T[]? buf))
                    {
                        buf = (T[])g.Clone();
                        momentumBuffers[i] = buf;
                    }
                    else
                    {
                        for (int j = 0; j < g.Length; j++)
                        {
                            buf[j] = T.FusedMultiplyAdd(keep, g[j], buf[j] * momentum);
                        }
                    }

                    for (int j = 0; j < g.Length; j++)
                    {
                        g[j] = settings.Nesterov ? T.FusedMultiplyAdd(momentum, buf[j], g[j]) : buf[j];
                    }
                }

                Fused.MultiplyAdd(-lr, g, p, Kernels);
            }
        }
    }
}
