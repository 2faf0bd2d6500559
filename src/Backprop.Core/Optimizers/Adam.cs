using System.Numerics;

namespace Backprop.Core.Optimizers;

/// <summary>
/// Adam, as <c>torch.optim.Adam</c> (and, with <see cref="Decoupled"/>, AdamW). At step t, for each
/// parameter p with gradient g:
/// <code>
///   p ← p·(1 − lr·wd)                         (AdamW: decay decoupled from the gradient)
///   g ← g + wd·p                              (Adam: weight decay as an L2 term)
///   m ← β₁·m + (1 − β₁)·g                     v ← β₂·v + (1 − β₂)·g²
///   v̂ ← max(v̂, v) with amsgrad, else v
///   p ← p − (lr / (1 − β₁ᵗ))·m / (√v̂ / √(1 − β₂ᵗ) + ε)
/// </code>
/// ε is added after the bias-corrected square root, as PyTorch does. Bias corrections and step
/// size are formed in double and rounded once, as libtorch's scalar arguments are. The moment
/// updates and the L2 term are fused multiply-adds, as libtorch's add and addcmul compute them.
/// Thread-safe: immutable settings; each optimizer it creates is not thread-safe.
/// </summary>
public record Adam(
    double Lr = 1e-3,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-8,
    double WeightDecay = 0,
    bool Amsgrad = false) : OptimizerSpec
{
    public static Kind<OptimizerSpec> Kind { get; } = new(new Adam(), s => Create<Adam>(s, (lr, b1, b2, eps, wd, ams) => new Adam(lr, b1, b2, eps, wd, ams)));

    public override string Name => "adam";

    public override IReadOnlyList<Setting> Settings =>
        [new("lr", Lr), new("betas", new[] { Beta1, Beta2 }), new("eps", Eps), new("weight_decay", WeightDecay), new("amsgrad", Amsgrad)];

    protected static TAdam Create<TAdam>(Settings s, Func<double, double, double, double, double, bool, TAdam> make)
    {
        ArgumentNullException.ThrowIfNull(s);
        double[] betas = s.Pair("betas");
        return make(s.Number("lr"), betas[0], betas[1], s.Number("eps"), s.Number("weight_decay"), s.Flag("amsgrad"));
    }

    /// <summary>True for AdamW: decay multiplies the parameter instead of joining the gradient.</summary>
    public virtual bool Decoupled => false;

    public override Optimizer<T> Create<T>()
    {
        Validate(DTypeNames.Of<T>());
        return new AdamOptimizer<T>(this);
    }

    /// <summary>
    /// The step size is largest at step 1, lr / (1 − β₁); AdamW also multiplies by 1 − lr·weight_decay.
    /// weight_decay itself must fit too, though AdamW only uses it in that product: a setting that
    /// does not fit the dtype is refused wherever it goes.
    /// </summary>
    protected override IEnumerable<(string What, double Value)> Scalars =>
        Decoupled
            ? [("the first step's size lr / (1 − β₁)", Lr / (1 - Beta1)), ("eps", Eps), ("weight_decay", WeightDecay), ("1 − lr·weight_decay", 1 - (Lr * WeightDecay))]
            : [("the first step's size lr / (1 − β₁)", Lr / (1 - Beta1)), ("eps", Eps), ("weight_decay", WeightDecay)];

    public override void Validate()
    {
        Require(double.IsFinite(Lr) && Lr >= 0, $"Invalid learning rate: {Lr} (it must be a finite number ≥ 0)");
        Require(double.IsFinite(Eps) && Eps >= 0, $"Invalid epsilon value: {Eps} (it must be a finite number ≥ 0)");
        Require(Beta1 >= 0 && Beta1 < 1, $"Invalid beta parameter at index 0: {Beta1} (it must lie in [0, 1))");
        Require(Beta2 >= 0 && Beta2 < 1, $"Invalid beta parameter at index 1: {Beta2} (it must lie in [0, 1))");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, $"Invalid weight_decay value: {WeightDecay} (it must be a finite number ≥ 0)");
    }

    private sealed class AdamOptimizer<T>(Adam settings) : Optimizer<T>
        where T : IFloatingPointIeee754<T>
    {
        private readonly Dictionary<int, (T[] M, T[] V, T[]? VMax)> moments = [];
        private int step;

        protected override void Update(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
        {
            step++;
            double biasCorrection1 = 1 - Math.Pow(settings.Beta1, step);
            double biasCorrection2 = 1 - Math.Pow(settings.Beta2, step);
            T beta1 = T.CreateChecked(settings.Beta1), oneMinusBeta1 = T.CreateChecked(1 - settings.Beta1);
            T beta2 = T.CreateChecked(settings.Beta2), oneMinusBeta2 = T.CreateChecked(1 - settings.Beta2);
            T decay = T.CreateChecked(settings.WeightDecay), keep = T.CreateChecked(1 - (settings.Lr * settings.WeightDecay));
            T sqrtBias2 = T.CreateChecked(Math.Sqrt(biasCorrection2)), eps = T.CreateChecked(settings.Eps);
            T minusStepSize = T.CreateChecked(-(settings.Lr / biasCorrection1));

            for (int i = 0; i < parameters.Count; i++)
            {
                T[] p = parameters[i], grad = gradients[i];
                if (!moments.TryGetValue(i, out var state))
                {
                    state = (new T[p.Length], new T[p.Length], settings.Amsgrad ? new T[p.Length] : null);
                    moments[i] = state;
                }

                (T[] m, T[] v, T[]? vMax) = state;
                for (int j = 0; j < p.Length; j++)
                {
                    T g = grad[j];
                    if (settings.Decoupled)
                    {
                        p[j] *= keep;
                    }
                    else if (settings.WeightDecay != 0)
                    {
                        g = T.FusedMultiplyAdd(decay, p[j], g);
                    }

                    m[j] = T.FusedMultiplyAdd(oneMinusBeta1, g, m[j] * beta1);
                    v[j] = T.FusedMultiplyAdd(oneMinusBeta2 * g, g, v[j] * beta2);
                    T second = v[j];
                    if (vMax is not null)
                    {
                        vMax[j] = T.Max(vMax[j], v[j]);
                        second = vMax[j];
                    }

                    T denominator = (T.Sqrt(second) / sqrtBias2) + eps;
                    p[j] += minusStepSize * m[j] / denominator;
                }
            }
        }
    }
}

/// <summary>AdamW, as <c>torch.optim.AdamW</c>: Adam with decoupled weight decay, default 0.01. Thread-safe: immutable settings; each optimizer it creates is not thread-safe.</summary>
public sealed record AdamW(
    double Lr = 1e-3,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-8,
    double WeightDecay = 0.01,
    bool Amsgrad = false) : Adam(Lr, Beta1, Beta2, Eps, WeightDecay, Amsgrad)
{
    public static new Kind<OptimizerSpec> Kind { get; } = new(new AdamW(), s => Create<AdamW>(s, (lr, b1, b2, eps, wd, ams) => new AdamW(lr, b1, b2, eps, wd, ams)));

    public override string Name => "adamw";

    public override bool Decoupled => true;
}
