using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

/// <summary>Laws of torch.optim.SGD's update that hold without any reference numbers.</summary>
public class SgdTests
{
    private static double[] Step(Sgd settings, double[] p, params double[][] gradients)
    {
        Optimizer<double> sgd = settings.Create<double>();
        double[] param = (double[])p.Clone();
        foreach (double[] g in gradients)
        {
            sgd.Step([param], [g]);
        }

        return param;
    }

    [Fact]
    public void Plain_Step_Is_P_Minus_Lr_Times_G()
    {
        Step(new Sgd(0.5), [1, -2], [4, 8]).ShouldBe([-1, -6]);
    }

    [Fact]
    public void First_Momentum_Step_Is_The_Plain_Step_Because_The_Buffer_Starts_As_G_Undamped()
    {
        double[] p = [0.3, -0.7], g = [0.11, 0.29];
        Step(new Sgd(0.1, Momentum: 0.9, Dampening: 0.5), p, g).ShouldBe(Step(new Sgd(0.1), p, g));
    }

    [Fact]
    public void Second_Momentum_Step_Adds_The_Damped_Buffer()
    {
        // buf = g1; buf = 0.5·buf + (1 − 0.25)·g2 = 0.5·4 + 0.75·8 = 8; p = 10 − 1·4 − 1·8 = −2 (all exact).
        Step(new Sgd(1, Momentum: 0.5, Dampening: 0.25), [10], [4], [8]).ShouldBe([-2]);
    }

    [Fact]
    public void Weight_Decay_Adds_Decay_Times_P_To_The_Gradient()
    {
        Step(new Sgd(1, WeightDecay: 0.5), [4], [1]).ShouldBe([1]); // 4 − (1 + 0.5·4)
    }

    [Fact]
    public void Nesterov_Looks_Ahead_By_Momentum_Times_The_Buffer()
    {
        Step(new Sgd(1, Momentum: 0.5, Nesterov: true), [10], [4]).ShouldBe([4]); // 10 − (4 + 0.5·4)
    }

    [Theory]
    [InlineData(-0.1, 0, 0, 0, false, "Invalid learning rate: -0.1 (it must be a finite number ≥ 0)")]
    [InlineData(0.1, -0.5, 0, 0, false, "Invalid momentum value: -0.5 (it must be a finite number ≥ 0)")]
    [InlineData(0.1, 0, 0, -1, false, "Invalid weight_decay value: -1 (it must be a finite number ≥ 0)")]
    [InlineData(0.1, 0.9, 0.1, 0, true, "Nesterov momentum requires a momentum and zero dampening (momentum 0.9, dampening 0.1)")]
    [InlineData(0.1, 1.0, 0, 0, true, "Nesterov momentum must be below 1, got 1")]
    public void Settings_Out_Of_Range_Are_Refused_With_The_Value_And_The_Limit(
        double lr, double momentum, double dampening, double decay, bool nesterov, string message)
    {
        Should.Throw<ArgumentException>(() => new Sgd(lr, momentum, dampening, decay, nesterov).Create<double>()).Message.ShouldBe(message);
    }

    [Theory]
    [InlineData(1.0, 0.999, "Invalid beta parameter at index 0: 1 (it must lie in [0, 1))")]
    [InlineData(0.9, -0.1, "Invalid beta parameter at index 1: -0.1 (it must lie in [0, 1))")]
    public void Adam_Betas_Outside_0_1_Are_Refused(double beta1, double beta2, string message)
    {
        Should.Throw<ArgumentException>(() => new Adam(1e-3, beta1, beta2).Create<float>()).Message.ShouldBe(message);
        Should.Throw<ArgumentException>(() => new AdamW(1e-3, beta1, beta2).Create<float>()).Message.ShouldBe(message);
    }
}

public class OptimizerNamingTests
{
    [Fact]
    public void An_Optimizer_Prints_As_Torch_Optim_Would_Be_Called()
    {
        new Sgd(0.05, Momentum: 0.9, WeightDecay: 0.01, Nesterov: true).ToString()
            .ShouldBe("sgd(lr=0.05, momentum=0.9, dampening=0, weight_decay=0.01, nesterov=True)");
        new Adam(Beta2: 0.99).ToString().ShouldBe("adam(lr=0.001, betas=(0.9, 0.99), eps=1E-08, weight_decay=0, amsgrad=False)");
    }
}
