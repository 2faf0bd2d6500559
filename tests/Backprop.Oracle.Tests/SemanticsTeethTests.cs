using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Testing;

namespace Backprop.Oracle.Tests;

/// <summary>
/// The libtorch comparisons have teeth: plausible wrong versions of the semantics run through the
/// core, and libtorch must reject each one.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class SemanticsTeethTests
{
    private static void ShouldBeCaught(TrainingCase real, TrainingCase mutant, DType dtype = DType.Float64)
    {
        Agreement.Compare(TorchOracle.Run(real, dtype), Trainer.Run(mutant, dtype), Tolerance.For(dtype))
            .ShouldContain(r => !r.Passed, "libtorch should disagree with the mutant");
    }

    [Fact]
    public void Softmax_With_Only_The_Diagonal_Of_Its_Jacobian_Is_Caught()
    {
        TrainingCase real = Cases.Probe(Softmax.Instance, [0, 0.5], [0.25, -1, 2]);
        ShouldBeCaught(real, real with { Network = real.Network with { Layers = [new LayerSpec(3, new DiagonalSoftmax())] } });
    }

    [Fact]
    public void Elu_Taking_The_Positive_Branch_At_Zero_Is_Caught()
    {
        TrainingCase real = Cases.Probe(new Elu(0.5), [0, 0.5], [0, -0.5, 1]);
        ShouldBeCaught(real, real with { Network = real.Network with { Layers = [new LayerSpec(3, new EluPositiveAtZero())] } });
    }

    [Fact]
    public void Adam_With_Eps_Inside_The_Square_Root_Is_Caught()
    {
        // ε inside √(v̂ + ε) instead of after it: a common variant, and not PyTorch's.
        TrainingCase real = Cases.Network(7, Tanh.Instance, Sigmoid.Instance, 1, new BinaryCrossEntropy(), new Adam(0.01, Eps: 1e-3), steps: 3);
        ShouldBeCaught(real, real with { Optimizer = new AdamEpsInsideSqrt(0.01, 1e-3) });
    }

    [Fact]
    public void Cross_Entropy_With_Probabilities_Averaged_Over_Elements_Is_Caught()
    {
        TrainingCase real = Cases.Network(3, Relu.Instance, Identity.Instance, 3, new CrossEntropy(), new Sgd(0.1));
        // Averaging −Σ t·logp over all N·C elements is the per-sample mean scaled by 1/C.
        ShouldBeCaught(real, real with { Network = real.Network with { Loss = new CrossEntropy(Reduction.Mean, 1.0 / 3) } });
    }

    /// <summary>dzᵢ = daᵢ·aᵢ(1 − aᵢ): the elementwise shortcut that ignores the off-diagonal terms.</summary>
    private sealed class DiagonalSoftmax : Activation
    {
        public override string Name => "softmax";

        public override void Forward<T>(Matrix<T> z, Matrix<T> a, SampleAxis samples) => Softmax.Instance.Forward(z, a, samples);

        public override void Backward<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ, SampleAxis samples)
        {
            for (int i = 0; i < a.Data.Length; i++)
            {
                dZ.Data[i] = dA.Data[i] * a.Data[i] * (T.One - a.Data[i]);
            }
        }
    }

    /// <summary>Tests z &lt; 0 instead of z ≤ 0, so g'(0) = 1 instead of α.</summary>
    private sealed class EluPositiveAtZero : ElementwiseActivation
    {
        public override string Name => "elu";

        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a) => new Elu(0.5).Forward(z, a);

        public override double Derivative(double z, double a) => new Elu(0.5).Derivative(z, a);

        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
        {
            for (int i = 0; i < z.Length; i++)
            {
                dZ[i] = z[i] < T.Zero ? dA[i] * T.CreateChecked(0.5) * T.Exp(z[i]) : dA[i];
            }
        }
    }

    /// <summary>Adam with p ← p − lr·m̂ / √(v̂ + ε), bias-corrected moments: ε inside the root.</summary>
    private sealed record AdamEpsInsideSqrt(double Lr, double Eps) : OptimizerSpec
    {
        public override string Name => "adam";

        public override IReadOnlyList<Setting> Settings => new Adam(Lr, Eps: Eps).Settings;

        public override Optimizer<T> Create<T>() => new Variant<T>(Lr, Eps);

        public override void Validate()
        {
        }

        private sealed class Variant<T>(double lr, double eps) : Optimizer<T>
            where T : System.Numerics.IFloatingPointIeee754<T>
        {
            private readonly Dictionary<int, (T[] M, T[] V)> moments = [];
            private int step;

            protected override void Update(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
            {
                step++;
                T bc1 = T.CreateChecked(1 - Math.Pow(0.9, step)), bc2 = T.CreateChecked(1 - Math.Pow(0.999, step));
                for (int i = 0; i < parameters.Count; i++)
                {
                    if (!moments.TryGetValue(i, out var mv))
                    {
                        mv = (new T[parameters[i].Length], new T[parameters[i].Length]);
                        moments[i] = mv;
                    }

                    for (int j = 0; j < parameters[i].Length; j++)
                    {
                        T g = gradients[i][j];
                        mv.M[j] = (T.CreateChecked(0.9) * mv.M[j]) + (T.CreateChecked(0.1) * g);
                        mv.V[j] = (T.CreateChecked(0.999) * mv.V[j]) + (T.CreateChecked(0.001) * g * g);
                        parameters[i][j] -= T.CreateChecked(lr) * (mv.M[j] / bc1) / T.Sqrt((mv.V[j] / bc2) + T.CreateChecked(eps));
                    }
                }
            }
        }
    }
}
