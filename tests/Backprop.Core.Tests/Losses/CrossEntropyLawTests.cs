using Backprop.Core.Losses;

namespace Backprop.Core.Tests.Losses;

/// <summary>cross_entropy's laws and refusals, stated without numbers an oracle would have to supply.</summary>
public class CrossEntropyLawTests
{
    private static readonly Matrix<double> Logits = new(2, 3, [0.5, -1, 2, 3, 0.25, -0.75]);
    private static readonly Matrix<double> Indices = new(2, 1, [2, 0]);
    private static readonly Matrix<double> Probabilities = new(2, 3, [0.2, 0.3, 0.5, 0.6, 0.4, 0]);

    /// <summary>The laws hold exactly in real arithmetic; in double, sums of a few terms near 1 differ by their last-bit rounding.</summary>
    private const double Rounding = 1e-15;

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0001)]
    [InlineData(double.NaN)]
    public void Label_Smoothing_Outside_0_To_1_Is_Refused(double smoothing)
        => Should.Throw<ArgumentOutOfRangeException>(() => new CrossEntropy(labelSmoothing: smoothing))
            .Message.ShouldStartWith($"label_smoothing must be between 0.0 and 1.0. Got: {smoothing}");

    [Fact]
    public void Label_Smoothing_Of_Exactly_1_Is_Allowed_And_Named()
    {
        new CrossEntropy(labelSmoothing: 1).LabelSmoothing.ShouldBe(1);
        new CrossEntropy(labelSmoothing: 0.1).ToString().ShouldBe("cross_entropy (label_smoothing 0.1)");
        new CrossEntropy().ToString().ShouldBe("cross_entropy");
    }

    [Theory]
    [InlineData(TargetKind.ClassIndices)]
    [InlineData(TargetKind.Values)]
    public void A_Sum_Is_N_Times_The_Mean_And_A_Scale_Multiplies_Cost_And_Gradient(TargetKind classIndices)
    {
        Matrix<double> target = classIndices == TargetKind.ClassIndices ? Indices : Probabilities;
        double mean = new CrossEntropy().Cost(Logits, target, classIndices, SampleAxis.Rows);
        new CrossEntropy(Reduction.Sum).Cost(Logits, target, classIndices, SampleAxis.Rows).ShouldBe(2 * mean, Rounding);
        new CrossEntropy(Reduction.Mean, 4).Cost(Logits, target, classIndices, SampleAxis.Rows).ShouldBe(4 * mean); // powers of two scale exactly

        var g = new Matrix<double>(2, 3);
        var scaled = new Matrix<double>(2, 3);
        new CrossEntropy().Gradient(Logits, target, g, classIndices, SampleAxis.Rows);
        new CrossEntropy(Reduction.Mean, 4).Gradient(Logits, target, scaled, classIndices, SampleAxis.Rows);
        scaled.Data.ShouldBe(g.Data.Select(v => 4 * v).ToArray());
        var summed = new Matrix<double>(2, 3);
        new CrossEntropy(Reduction.Sum).Gradient(Logits, target, summed, classIndices, SampleAxis.Rows);
        summed.Data.Zip(g.Data, (s, m) => Math.Abs(s - (2 * m))).Max().ShouldBeLessThan(Rounding);
    }

    [Fact]
    public void One_Hot_Probabilities_Give_The_Cost_And_Gradient_Of_Their_Class_Indices()
    {
        var oneHot = new Matrix<double>(2, 3, [0, 0, 1, 1, 0, 0]);
        new CrossEntropy().Cost(Logits, oneHot, TargetKind.Values, SampleAxis.Rows).ShouldBe(new CrossEntropy().Cost(Logits, Indices, TargetKind.ClassIndices, SampleAxis.Rows), Rounding);
        var a = new Matrix<double>(2, 3);
        var b = new Matrix<double>(2, 3);
        new CrossEntropy(labelSmoothing: 0.2).Gradient(Logits, oneHot, a, TargetKind.Values, SampleAxis.Rows);
        new CrossEntropy(labelSmoothing: 0.2).Gradient(Logits, Indices, b, TargetKind.ClassIndices, SampleAxis.Rows);
        a.Data.Zip(b.Data, (x, y) => Math.Abs(x - y)).Max().ShouldBeLessThan(Rounding);
        new CrossEntropy(labelSmoothing: 0.2).Cost(Logits, oneHot, TargetKind.Values, SampleAxis.Rows).ShouldBe(new CrossEntropy(labelSmoothing: 0.2).Cost(Logits, Indices, TargetKind.ClassIndices, SampleAxis.Rows), Rounding);
    }

    [Fact]
    public void Logits_Shifted_By_A_Constant_Give_The_Same_Cost_Even_Where_Exp_Would_Overflow()
    {
        // log_softmax subtracts each sample's largest logit first, wherever it is.
        var huge = new Matrix<double>(2, 3, Logits.Data.Select((v, i) => v + (i < 3 ? 1000 : -1000)).ToArray());
        new CrossEntropy().Cost(huge, Indices, TargetKind.ClassIndices, SampleAxis.Rows).ShouldBe(new CrossEntropy().Cost(Logits, Indices, TargetKind.ClassIndices, SampleAxis.Rows), 1e-12); // the shift itself rounds the logits
    }

    [Fact]
    public void Class_Indices_Must_Be_Whole_In_Range_And_One_Per_Sample()
    {
        var loss = new CrossEntropy();
        Should.Throw<ArgumentException>(() => loss.Cost(Logits, new Matrix<double>(2, 1, [0.5, 1]), TargetKind.ClassIndices, SampleAxis.Rows))
            .Message.ShouldBe("class-index targets must be whole numbers, but sample 0 has 0.5");
        Should.Throw<ArgumentException>(() => loss.Cost(Logits, new Matrix<double>(2, 1, [0, 3]), TargetKind.ClassIndices, SampleAxis.Rows)).Message.ShouldBe("Target 3 is out of bounds.");
        Should.Throw<ArgumentException>(() => loss.Cost(Logits, new Matrix<double>(2, 1, [-1, 0]), TargetKind.ClassIndices, SampleAxis.Rows)).Message.ShouldBe("Target -1 is out of bounds.");
        Should.Throw<ArgumentException>(() => loss.Cost(Logits, new Matrix<double>(3, 1), TargetKind.ClassIndices, SampleAxis.Rows))
            .Message.ShouldBe("class-index targets are 3×1 but the output holds 2 samples, so they must be 2×1 (one index per sample)");
        Should.Throw<ArgumentException>(() => loss.Gradient(Logits, new Matrix<double>(2, 2), new Matrix<double>(2, 3), TargetKind.ClassIndices, SampleAxis.Rows))
            .Message.ShouldStartWith("class-index targets are 2×2");
    }

    [Fact]
    public void Misshapen_Probability_Targets_And_Gradients_Are_Refused()
    {
        var loss = new CrossEntropy();
        Should.Throw<ArgumentException>(() => loss.Cost(Logits, new Matrix<double>(2, 2), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("the target is 2×2 but the network's output is 2×3; they must have the same shape");
        Should.Throw<ArgumentException>(() => loss.Gradient(Logits, new Matrix<double>(2, 2), new Matrix<double>(2, 3), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("the target is 2×2 but the network's output is 2×3; they must have the same shape");
        Should.Throw<ArgumentException>(() => loss.Gradient(Logits, Probabilities, new Matrix<double>(3, 2), TargetKind.Values, SampleAxis.Rows))
            .Message.ShouldBe("the gradient is 3×2 but the network's output is 2×3; they must have the same shape");
    }
    [Fact]
    public void With_Smoothing_A_Sum_Is_Still_N_Times_The_Mean()
    {
        var logits = new Matrix<double>(3, 2, [0.5, -1, 2, 0.25, -0.75, 1.5]);
        var labels = new Matrix<double>(3, 1, [1, 0, 1]);
        double mean = new CrossEntropy(Reduction.Mean, 1, 0.2).Cost(logits, labels, TargetKind.ClassIndices, SampleAxis.Rows);
        new CrossEntropy(Reduction.Sum, 1, 0.2).Cost(logits, labels, TargetKind.ClassIndices, SampleAxis.Rows).ShouldBe(3 * mean, 1e-15);
    }

    [Fact]
    public void LogSoftmax_Of_A_Matrix_Is_The_Log_Of_Each_Samples_Softmax()
    {
        var x = new Matrix<double>(2, 3, [1, 2, 3, -1, 0, 1000]);
        Matrix<double> logp = CrossEntropy.LogSoftmax(x, SampleAxis.Rows);
        double total = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        logp[0, 2].ShouldBe(Math.Log(Math.Exp(3) / total), 1e-15);
        logp[1, 2].ShouldBe(0.0);
        logp[1, 0].ShouldBe(-1001.0);
        CrossEntropy.LogSoftmax(x.Transpose(), SampleAxis.Columns).Data.ShouldBe(logp.Transpose().Data);
        Should.Throw<ArgumentNullException>(() => CrossEntropy.LogSoftmax<double>(null!, SampleAxis.Rows));
    }

    [Fact]
    public void A_Class_With_A_Logit_Of_Minus_Infinity_Costs_Nothing_Without_Smoothing()
    {
        // Its probability is 0 and its log-probability −∞; only label smoothing, which spreads
        // target mass onto every class, reads that −∞ (and then the cost is +∞, as PyTorch's).
        var logits = new Matrix<double>(2, 3, [0, double.NegativeInfinity, 1, 2, 0, double.NegativeInfinity]);
        var finite = new Matrix<double>(2, 2, [0, 1, 2, 0]);
        var labels = new Matrix<double>(2, 1, [2, 0]);
        new CrossEntropy().Cost(logits, labels, TargetKind.ClassIndices, SampleAxis.Rows).ShouldBe(new CrossEntropy().Cost(finite, new Matrix<double>(2, 1, [1, 0]), TargetKind.ClassIndices, SampleAxis.Rows));
        new CrossEntropy(Reduction.Sum).Cost(logits, labels, TargetKind.ClassIndices, SampleAxis.Rows).ShouldBe(new CrossEntropy(Reduction.Sum).Cost(finite, new Matrix<double>(2, 1, [1, 0]), TargetKind.ClassIndices, SampleAxis.Rows));
        new CrossEntropy(Reduction.Mean, 1, 0.1).Cost(logits, labels, TargetKind.ClassIndices, SampleAxis.Rows).ShouldBe(double.PositiveInfinity);
    }

    [Fact]
    public void Logits_Spread_Wider_Than_Exps_Range_Within_A_Sample_Stay_Finite()
    {
        // Subtracting the sample's largest logit keeps every exponent ≤ 0; any other shift overflows here.
        var wide = new Matrix<double>(1, 3, [-1000, 0, 1000]);
        var shifted = new Matrix<double>(1, 3, [-2000, -1000, 0]);
        var label = new Matrix<double>(1, 1, [1]);
        double cost = new CrossEntropy().Cost(wide, label, TargetKind.ClassIndices, SampleAxis.Rows);
        double.IsFinite(cost).ShouldBeTrue();
        cost.ShouldBe(new CrossEntropy().Cost(shifted, label, TargetKind.ClassIndices, SampleAxis.Rows));
        var g = new Matrix<double>(1, 3);
        new CrossEntropy().Gradient(wide, label, g, TargetKind.ClassIndices, SampleAxis.Rows);
        g.Data.All(double.IsFinite).ShouldBeTrue();
    }

    [Fact]
    public void The_Gradient_Depends_Only_On_Its_Own_Arguments_Not_On_The_Cost_Computed_Before()
    {
        // The loss keeps per-thread scratch; a gradient must recompute everything it reads from it.
        var loss = new CrossEntropy(labelSmoothing: 0.1);
        var expected = new Matrix<double>(2, 3);
        loss.Cost(Logits, Indices, TargetKind.ClassIndices, SampleAxis.Rows);
        loss.Gradient(Logits, Indices, expected, TargetKind.ClassIndices, SampleAxis.Rows);

        var other = new Matrix<double>(2, 3, [9, 8, 7, -6, -5, 4]);
        loss.Cost(other, new Matrix<double>(2, 1, [1, 2]), TargetKind.ClassIndices, SampleAxis.Rows);
        var actual = new Matrix<double>(2, 3);
        loss.Gradient(Logits, Indices, actual, TargetKind.ClassIndices, SampleAxis.Rows);
        actual.Data.ShouldBe(expected.Data);
    }
}
