using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

/// <summary>
/// Adam and AdamW against torch.optim's documented algorithm, written out plainly in double in
/// the test (no fused operations), over several steps whose gradients shrink, so that AMSGrad's
/// running maximum, the bias corrections and both kinds of weight decay all matter.
/// </summary>
public class AdamTests
{
    private static readonly double[] Start = [1.0, -0.5, 0.25];

    private static readonly double[][] Gradients = [[0.8, -0.3, 0.05], [0.2, -0.1, -0.4], [0.01, 0.02, 0.03]];

    private static double[] Core(Adam settings)
    {
        Optimizer<double> adam = settings.Create<double>();
        double[] p = (double[])Start.Clone();
        foreach (double[] g in Gradients)
        {
            adam.Step([p], [(double[])g.Clone()]);
        }

        return p;
    }

    /// <summary>torch.optim.Adam / AdamW as their documentation states the algorithm.</summary>
    private static double[] Reference(Adam s, bool decoupled)
    {
        double[] p = (double[])Start.Clone(), m = new double[3], v = new double[3], vMax = new double[3];
        for (int t = 1; t <= Gradients.Length; t++)
        {
            for (int j = 0; j < 3; j++)
            {
                double g = Gradients[t - 1][j];
                if (decoupled)
                {
                    p[j] *= 1 - (s.Lr * s.WeightDecay);
                }
                else
                {
                    g += s.WeightDecay * p[j];
                }

                m[j] = (s.Beta1 * m[j]) + ((1 - s.Beta1) * g);
                v[j] = (s.Beta2 * v[j]) + ((1 - s.Beta2) * g * g);
                vMax[j] = Math.Max(vMax[j], v[j]);
                double second = s.Amsgrad ? vMax[j] : v[j];
                double denominator = (Math.Sqrt(second) / Math.Sqrt(1 - Math.Pow(s.Beta2, t))) + s.Eps;
                p[j] -= s.Lr / (1 - Math.Pow(s.Beta1, t)) * m[j] / denominator;
            }
        }

        return p;
    }

    public static TheoryData<string> Names => new(Settings.Keys);

    private static readonly Dictionary<string, Adam> Settings = new()
    {
        ["adam"] = new Adam(0.1, 0.8, 0.9, 1e-3),
        ["adam, weight decay"] = new Adam(0.1, 0.8, 0.9, 1e-3, WeightDecay: 0.5),
        ["adam, amsgrad"] = new Adam(0.1, 0.8, 0.9, 1e-3, Amsgrad: true),
        ["adamw"] = new AdamW(0.1, 0.8, 0.9, 1e-3, WeightDecay: 0.5),
        ["adamw, amsgrad"] = new AdamW(0.1, 0.8, 0.9, 1e-3, WeightDecay: 0.5, Amsgrad: true),
        ["adam, betas 0"] = new Adam(0.1, 0, 0, 0),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Three_Steps_Follow_The_Documented_Algorithm(string name)
    {
        Adam settings = Settings[name];
        double[] expected = Reference(settings, settings is AdamW);
        double[] actual = Core(settings);
        for (int j = 0; j < 3; j++)
        {
            actual[j].ShouldBe(expected[j], 1e-14, $"{name}, element {j}");
        }
    }

    [Fact]
    public void The_Variants_Differ_From_Each_Other_On_These_Gradients()
    {
        // Otherwise the test above could not tell one variant from another.
        double[][] results = Settings.Values.Select(Core).ToArray();
        for (int a = 0; a < results.Length; a++)
        {
            for (int b = a + 1; b < results.Length; b++)
            {
                results[a].Zip(results[b], (x, y) => Math.Abs(x - y)).Max().ShouldBeGreaterThan(1e-6);
            }
        }
    }

    [Fact]
    public void Zero_Learning_Rate_Epsilon_And_Betas_Are_Allowed_As_In_PyTorch()
    {
        new Adam(0, 0, 0, 0).Validate();
        new Sgd(0).Validate();
        Core(new Adam(0, 0.9, 0.999, 1e-8)).ShouldBe(Start);
    }

    [Theory]
    [InlineData(-0.1, 1e-8, 0.0, "Invalid learning rate: -0.1 (it must be a finite number ≥ 0)")]
    [InlineData(double.PositiveInfinity, 1e-8, 0.0, "Invalid learning rate: Infinity (it must be a finite number ≥ 0)")]
    [InlineData(double.NaN, 1e-8, 0.0, "Invalid learning rate: NaN (it must be a finite number ≥ 0)")]
    [InlineData(1e-3, -1e-8, 0.0, "Invalid epsilon value: -1E-08 (it must be a finite number ≥ 0)")]
    [InlineData(1e-3, double.PositiveInfinity, 0.0, "Invalid epsilon value: Infinity (it must be a finite number ≥ 0)")]
    [InlineData(1e-3, 1e-8, -0.5, "Invalid weight_decay value: -0.5 (it must be a finite number ≥ 0)")]
    [InlineData(1e-3, 1e-8, double.PositiveInfinity, "Invalid weight_decay value: Infinity (it must be a finite number ≥ 0)")]
    public void Adam_Settings_Out_Of_Range_Are_Refused_With_The_Value(double lr, double eps, double decay, string message)
    {
        Should.Throw<ArgumentException>(() => new Adam(lr, Eps: eps, WeightDecay: decay).Validate()).Message.ShouldBe(message);
        Should.Throw<ArgumentException>(() => new AdamW(lr, Eps: eps, WeightDecay: decay).Create<double>()).Message.ShouldBe(message);
    }

    [Fact]
    public void Sgd_Refuses_A_Dampening_That_Is_Not_Finite()
    {
        Should.Throw<ArgumentException>(() => new Sgd(0.1, 0.9, double.NaN).Validate())
            .Message.ShouldBe("Invalid dampening value: NaN (it must be finite)");
    }

    [Fact]
    public void Adam_And_Sgd_Refuse_Gradients_That_Do_Not_Pair_Up()
    {
        foreach (OptimizerSpec spec in new OptimizerSpec[] { new Adam(), new AdamW(), new Sgd(0.1) })
        {
            Optimizer<double> optimizer = spec.Create<double>();
            Should.Throw<ArgumentException>(() => optimizer.Step([new double[3], new double[2]], [new double[3]]))
                .Message.ShouldBe("2 parameter tensors but 1 gradients");
            Should.Throw<ArgumentException>(() => optimizer.Step([new double[3]], [new double[4]]))
                .Message.ShouldBe("parameter tensor 0 has 3 elements but its gradient has 4");
        }
    }

    [Fact]
    public void Names_Are_Torch_Optims_Class_Names()
    {
        (new Sgd(0.1).Name, new Adam().Name, new AdamW().Name).ShouldBe(("sgd", "adam", "adamw"));
        new Adam().Decoupled.ShouldBeFalse();
        new AdamW().Decoupled.ShouldBeTrue();
    }
}
