using System.Numerics;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Testing;

namespace Backprop.Verification.Tests.Results;

/// <summary>
/// Each signature the diagnosis knows, shown by a deliberately wrong implementation (the core
/// with one part changed as someone else's code might have it) run on a committed fixture, whose
/// numbers came from libtorch. The diagnosis must name the first disagreement and its cause.
/// </summary>
public class DiagnosisTests
{
    private static Fixture Load(string name) => FixtureReader.ReadFile(Agreement.FixturePath($"{name}.json"));

    /// <summary>Runs the fixture's case through the core after <paramref name="change"/>, reported as results.</summary>
    private static Verification.Results Implementation(Fixture f, Func<TrainingCase, TrainingCase> change)
        => Verification.Results.From(f.Name, Trainer.Run(change(f.Case), f.DType));

    private static ResultsCheck Check(Fixture f, Verification.Results results)
    {
        ResultsCheck check = ResultsCheck.Compare(f, results);
        check.ExitCode.ShouldBe(FixtureCheck.Mismatch);
        return check;
    }

    private static Finding Only(ResultsCheck check, string firstDisagreement)
    {
        QuantityComparison first = check.Quantities.First(q => !q.Passed);
        first.Quantity.ShouldBe(firstDisagreement, first.Describe());
        check.Findings.Count.ShouldBe(1, string.Join("\n", check.Findings));
        return check.Findings[0];
    }

    private static TrainingCase WithLoss(TrainingCase c, Loss loss) => c with { Network = c.Network with { Loss = loss } };

    private static TrainingCase WithOutput(TrainingCase c, Activation activation)
        => c with { Network = c.Network with { Layers = [.. c.Network.Layers.SkipLast(1), c.Network.Layers[^1] with { Activation = activation }] } };

    [Fact]
    public void A_Mean_Over_Samples_Only_Is_Named_As_K_The_Output_Units()
    {
        // sklearn's squared error and log-loss divide by n; PyTorch's mean divides by n·k (here n = 4, k = 3).
        Fixture f = Load("mse-mean-three-outputs");
        Finding finding = Only(Check(f, Implementation(f, c => WithLoss(c, new MeanOverSamples()))), "step 1 cost");
        finding.Cause.ShouldStartWith("a mean over the samples only (divide by n) where PyTorch's mse_loss mean divides by n·k");
        finding.Evidence.ShouldContain("is 3× libtorch's");
        finding.Evidence.ShouldContain("k = 3, the output units");
    }

    [Fact]
    public void A_Gradient_Without_The_Two_Of_The_Square_Is_Named_As_A_Half()
    {
        Fixture f = Load("mse-mean-three-outputs");
        Finding finding = Only(Check(f, Implementation(f, c => WithLoss(c, new MseWithoutTheTwo()))), "step 1 layer 2 gradA");
        finding.Cause.ShouldStartWith("a factor ½ in the gradient");
        finding.Evidence.ShouldContain("is 0.5× libtorch's");
    }

    [Fact]
    public void A_Cost_Reported_Twice_As_Large_Is_Named_As_The_Costs_Convention()
    {
        // convnetjs's regression layer reports 2·dy²: the cost is 2×, the gradients agree.
        Fixture f = Load("mse-mean-three-outputs");
        Verification.Results right = Implementation(f, c => c);
        var doubled = right with { Steps = right.Steps.Select(s => s with { Cost = 2 * s.Cost }).ToArray() };
        Finding finding = Only(Check(f, doubled), "step 1 cost");
        finding.Cause.ShouldStartWith("the cost's convention");
        finding.Evidence.ShouldContain("is 2× libtorch's");
    }

    [Fact]
    public void A_Flipped_Derivative_Is_Named_As_A_Sign_Flip()
    {
        Fixture f = Load("bce-mean-three-outputs");
        Finding finding = Only(Check(f, Implementation(f, c => WithOutput(c, new SigmoidWithFlippedDerivative()))), "step 1 layer 2 gradZ");
        finding.Cause.ShouldStartWith("a flipped sign");
        finding.Evidence.ShouldContain("is -1× libtorch's");
    }

    [Fact]
    public void A_Transposed_Square_Gradient_Is_Named_By_Its_Values()
    {
        Fixture f = Load("square-weights-f64");
        Verification.Results right = Implementation(f, c => c);
        StepExpectation step = right.Steps[0];
        LayerExpectation[] layers = [.. step.Layers!];
        layers[1] = layers[1] with { GradWeight = layers[1].GradWeight!.Transpose() };
        var transposed = right with { Steps = [step with { Layers = layers }, .. right.Steps.Skip(1)] };
        Finding finding = Only(Check(f, transposed), "step 1 layer 2 gradWeight");
        finding.Cause.ShouldBe("a transposed matrix: step 1 layer 2 gradWeight is the transpose of libtorch's");
    }

    [Fact]
    public void A_Transposed_Oblong_Gradient_Is_Named_By_Its_Shape()
    {
        Fixture f = Load("worked-example");
        Verification.Results right = Implementation(f, c => c);
        LayerExpectation[] layers = [.. right.Steps[0].Layers!];
        layers[0] = layers[0] with { GradWeight = layers[0].GradWeight!.Transpose() };
        Finding finding = Only(Check(f, right with { Steps = [right.Steps[0] with { Layers = layers }] }), "step 1 layer 1 gradWeight");
        finding.Cause.ShouldBe("a transposed matrix: step 1 layer 1 gradWeight has the transposed shape");
        finding.Evidence.ShouldBe("expected 3×2, got 2×3: transposed (its values are the expected matrix's transpose)");
    }

    [Fact]
    public void Relu_One_At_Zero_Is_Named_As_The_Kink_Convention()
    {
        Fixture f = Load("relu-exact-kinks");
        TrainingCase Mutate(TrainingCase c) => c with { Network = c.Network with { Layers = [c.Network.Layers[0] with { Activation = new ReluOneAtZero() }, c.Network.Layers[1]] } };
        Finding finding = Only(Check(f, Implementation(f, Mutate)), "step 1 layer 1 gradZ");
        finding.Cause.ShouldBe("the kink convention of relu: at z = 0 exactly PyTorch takes relu'(0) = 0");
        finding.Evidence.ShouldContain("sit where z is exactly 0");
    }

    [Fact]
    public void Probabilities_Clipped_At_Eps_Are_Named_As_Bces_Clamp()
    {
        // sklearn clips probabilities at float eps: a confident wrong answer costs −log(eps), not 100.
        Fixture f = Load("sigmoid-saturation-bce-clamp");
        Finding finding = Only(Check(f, Implementation(f, c => WithLoss(c, new BceClippedAtEps()))), "step 1 cost");
        finding.Cause.ShouldStartWith("BCE at a saturated output: PyTorch clamps each log at −100");
        finding.Evidence.ShouldContain("outputs are exactly 0 or 1 and the cost disagrees");
    }

    [Fact]
    public void A_Fused_Sigmoid_And_Bce_Gradient_Is_Named_As_Bces_Clamp()
    {
        // Fused: ∂J/∂Z = (a − y)/n, and ∂J/∂A of the output is never formed.
        Fixture f = Load("sigmoid-saturation-bce-clamp");
        Verification.Results right = Implementation(f, c => c);
        Matrix<double> a = right.Steps[0].Layers![0].A!, y = f.Case.Batches[0].Y;
        var fused = new Matrix<double>(a.Rows, a.Cols, a.Data.Zip(y.Data, (p, t) => (p - t) / a.Data.Length).ToArray());
        var results = right with { Steps = [right.Steps[0] with { Layers = [right.Steps[0].Layers![0] with { GradA = null, GradZ = fused }] }] };
        ResultsCheck check = Check(f, results);
        check.Quantities.Single(q => q.Name == "gradA").NotProvided.ShouldBeTrue();
        Finding finding = Only(check, "step 1 layer 1 gradZ");
        finding.Cause.ShouldStartWith("BCE at a saturated output");
        finding.Evidence.ShouldContain("sit where the output is exactly 0 or 1");
    }

    [Fact]
    public void Weight_Decay_In_The_Loss_Is_Named_By_A_Gradient_Off_By_Wd_P()
    {
        // sklearn's alpha: an L2 term in the loss, so the gradients carry wd·W.
        Fixture f = Load("tanh-cross-entropy-probabilities");
        double wd = ((Sgd)f.Case.Optimizer!).WeightDecay;
        Verification.Results right = Implementation(f, c => c);
        StepExpectation step = right.Steps[0];
        LayerExpectation[] layers = [.. step.Layers!];
        for (int l = 0; l < layers.Length; l++)
        {
            Matrix<double> w = f.Case.Parameters[l].Weight, g = layers[l].GradWeight!;
            layers[l] = layers[l] with { GradWeight = new Matrix<double>(g.Rows, g.Cols, g.Data.Zip(w.Data, (x, p) => x + (wd * p)).ToArray()) };
        }

        Finding finding = Only(Check(f, right with { Steps = [step with { Layers = layers }, .. right.Steps.Skip(1)] }), "step 1 layer 2 gradWeight");
        finding.Cause.ShouldStartWith("weight decay as an L2 term in the loss");
        finding.Evidence.ShouldContain("by +wd·p = 0.01·p");
    }

    [Fact]
    public void An_Update_Without_Weight_Decay_Is_Named_By_Weights_Off_By_Lr_Wd_P()
    {
        Fixture f = Load("tanh-cross-entropy-probabilities");
        Finding finding = Only(
            Check(f, Implementation(f, c => c with { Optimizer = ((Sgd)c.Optimizer!) with { WeightDecay = 0 } })), "step 1 layer 1 weight after update");
        finding.Cause.ShouldBe("weight decay left out of the update (torch.optim takes lr·wd·p off each parameter)");
        finding.Evidence.ShouldContain("by +lr·wd·p = 0.1·0.01·p");
    }

    [Fact]
    public void Adam_With_Its_Correction_Folded_Into_The_Rate_Is_Named_By_Tiny_Gradients()
    {
        // sklearn's Adam: lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε), so ε acts as ε/√(1 − β₂ᵗ).
        Fixture f = Load("adam-tiny-gradients");
        Finding finding = Only(Check(f, Implementation(f, c => c with { Optimizer = new AdamFoldedCorrection(((Adam)c.Optimizer!).Lr) })), "step 1 layer 1 weight after update");
        finding.ToString().ShouldStartWith("likely cause: ε's placement in Adam");
        finding.Evidence.ShouldContain("mismatched elements of step 1 layer 1 weight after update have |gradient| ≤ 0.02");
    }

    [Fact]
    public void Momentum_Forgotten_Between_Steps_Is_Named_As_Optimizer_State_At_Step_Two()
    {
        Fixture f = Load("sgd-dampening-three-steps");
        ResultsCheck check = Check(f, Implementation(f, c => c with { Optimizer = new ForgetfulSgd((Sgd)c.Optimizer!) }));
        check.Quantities.Where(q => q.Step == 1).ShouldAllBe(q => q.Passed);
        check.Findings[0].Cause.ShouldStartWith("state the optimizer carries from step to step");
        check.Findings[0].Evidence.ShouldStartWith("step 1 agrees in every quantity; step 2 is the first to disagree");
    }

    [Fact]
    public void Agreement_Has_No_Findings_And_A_Missing_Step_Is_A_Failure_That_Says_So()
    {
        Fixture f = Load("sgd-dampening-three-steps");
        Verification.Results right = Implementation(f, c => c);
        ResultsCheck.Compare(f, right).ShouldSatisfyAllConditions(
            c => c.ExitCode.ShouldBe(FixtureCheck.Passed),
            c => c.Findings.ShouldBeEmpty());
        ResultsCheck shorter = Check(f, right with { Steps = right.Steps.Take(2).ToArray() });
        shorter.Quantities.Last().Describe().ShouldBe("step 3: missing: the fixture has 3 steps, the results 2");
        shorter.Findings[0].Cause.ShouldBe("a difference of structure in step 3");
    }

    /// <summary>mse_loss whose mean divides by the samples only.</summary>
    private sealed class MeanOverSamples() : Loss(Reduction.Mean, 1)
    {
        public override string Name => "mse_loss";

        public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
            => new MseLoss(Reduction.Sum).Cost(output, target, targets, samples) / T.CreateChecked(output.Rows);

        public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
        {
            new MseLoss(Reduction.Sum).Gradient(output, target, gradient, targets, samples);
            for (int i = 0; i < gradient.Data.Length; i++) gradient.Data[i] /= T.CreateChecked(output.Rows);
        }
    }

    /// <summary>mse_loss's cost with a gradient of (x − y)/(n·k): the 2 of the square dropped.</summary>
    private sealed class MseWithoutTheTwo() : Loss(Reduction.Mean, 1)
    {
        public override string Name => "mse_loss";

        public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
            => new MseLoss().Cost(output, target, targets, samples);

        public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
        {
            new MseLoss().Gradient(output, target, gradient, targets, samples);
            for (int i = 0; i < gradient.Data.Length; i++) gradient.Data[i] /= T.CreateChecked(2);
        }
    }

    /// <summary>binary_cross_entropy with the probabilities clipped to [eps, 1 − eps] instead of the logs clamped at −100.</summary>
    private sealed class BceClippedAtEps() : Loss(Reduction.Mean, 1)
    {
        public override string Name => "binary_cross_entropy";

        public override T Cost<T>(Matrix<T> output, Matrix<T> target, TargetKind targets, SampleAxis samples)
        {
            T eps = T.CreateChecked(1.1920929e-07), sum = T.Zero;
            for (int i = 0; i < output.Data.Length; i++)
            {
                T p = T.Clamp(output.Data[i], eps, T.One - eps), y = target.Data[i];
                sum -= (y * T.Log(p)) + ((T.One - y) * T.Log(T.One - p));
            }

            return sum / T.CreateChecked(output.Data.Length);
        }

        public override void Gradient<T>(Matrix<T> output, Matrix<T> target, Matrix<T> gradient, TargetKind targets, SampleAxis samples)
            => new BinaryCrossEntropy().Gradient(output, target, gradient, targets, samples);
    }

    /// <summary>sigmoid with the derivative's sign flipped.</summary>
    private sealed class SigmoidWithFlippedDerivative : ElementwiseActivation
    {
        public override string Name => "sigmoid";

        public override double Derivative(double z, double a) => Sigmoid.Instance.Derivative(z, a);

        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a) => Sigmoid.Instance.Forward(z, a);

        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
        {
            Sigmoid.Instance.Backward(z, a, dA, dZ);
            for (int i = 0; i < dZ.Length; i++) dZ[i] = -dZ[i];
        }
    }

    /// <summary>SGD that makes a fresh optimizer every step, so momentum never carries over.</summary>
    private sealed record ForgetfulSgd(Sgd Inner) : OptimizerSpec
    {
        public override string Name => "sgd";

        public override IReadOnlyList<Setting> Settings => Inner.Settings;

        public override void Validate() => Inner.Validate();

        public override Optimizer<T> Create<T>() => new Forgetful<T>(Inner);

        private sealed class Forgetful<T>(Sgd inner) : Optimizer<T>
            where T : IFloatingPointIeee754<T>
        {
            protected override void Update(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
                => inner.Create<T>().Step(parameters, gradients);
        }
    }

    /// <summary>Adam as scikit-learn writes it: the bias corrections folded into the step size, ε added to √v.</summary>
    private sealed record AdamFoldedCorrection(double Lr) : OptimizerSpec
    {
        public override string Name => "adam";

        public override IReadOnlyList<Setting> Settings => new Adam(Lr).Settings;

        public override void Validate()
        {
        }

        public override Optimizer<T> Create<T>() => new Folded<T>(Lr);

        private sealed class Folded<T>(double lr) : Optimizer<T>
            where T : IFloatingPointIeee754<T>
        {
            private readonly Dictionary<int, (T[] M, T[] V)> moments = [];
            private int t;

            protected override void Update(IReadOnlyList<T[]> parameters, IReadOnlyList<T[]> gradients)
            {
                t++;
                T rate = T.CreateChecked(lr * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t)));
                for (int i = 0; i < parameters.Count; i++)
                {
                    if (!moments.TryGetValue(i, out var mv))
                    {
                        moments[i] = mv = (new T[parameters[i].Length], new T[parameters[i].Length]);
                    }

                    for (int j = 0; j < parameters[i].Length; j++)
                    {
                        T g = gradients[i][j];
                        mv.M[j] = (T.CreateChecked(0.9) * mv.M[j]) + (T.CreateChecked(0.1) * g);
                        mv.V[j] = (T.CreateChecked(0.999) * mv.V[j]) + (T.CreateChecked(0.001) * g * g);
                        parameters[i][j] -= rate * mv.M[j] / (T.Sqrt(mv.V[j]) + T.CreateChecked(1e-8));
                    }
                }
            }
        }
    }
}
