using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Verification;

namespace Backprop.Core.Tests;

/// <summary>
/// The public API under misuse: a null anywhere is an ArgumentNullException naming what is null,
/// an optimizer meets only the tensors it was first stepped on, a setting that does not fit the
/// dtype is refused before it makes ±∞, targets are refused in PyTorch's words before any pass,
/// and a session, a workspace or an optimizer used from a second thread while busy throws
/// InvalidOperationException instead of computing garbage.
/// </summary>
public class MisuseTests
{
    private static TrainingCase Example => WorkedExample.Case;

    private static NetworkSpec Spec => Example.Network;

    private static IReadOnlyList<LayerParameters<double>> P => Example.Parameters;

    private static readonly Dictionary<string, (Action Misuse, string Parameter)> Nulls = new()
    {
        ["a null row"] = (() => Matrix<double>.FromRows([[1, 2], null!]), "rows"),
        ["a null first row"] = (() => Matrix<double>.FromRows([null!, [1, 2]]), "rows"),
        ["a null parameter"] = (() => _ = new Network<double>(Spec, [P[0], null!, P[2]]), "parameters"),
        ["a null weight"] = (() => _ = new LayerParameters<double>(null!, P[1].Bias), "Weight"),
        ["a null bias"] = (() => _ = new LayerParameters<double>(P[1].Weight, null!), "Bias"),
        ["a weight set to null"] = (() => _ = P[1] with { Weight = null! }, "Weight"),
        ["a null layer"] = (() => _ = Spec with { Layers = [Spec.Layers[0], null!, Spec.Layers[2]] }, "Layers"),
        ["a null activation"] = (() => _ = new LayerSpec(2, null!), "Activation"),
        ["a null loss"] = (() => _ = Spec with { Loss = null! }, "Loss"),
        ["a null y"] = (() => _ = new Batch<double>(Example.Batches[0].X, null!, TargetKind.Values), "Y"),
        ["a null x"] = (() => _ = new Batch<double>(null!, Example.Batches[0].Y, TargetKind.Values), "X"),
        ["null batches"] = (() => _ = Example with { Batches = null! }, "Batches"),
        ["a null batch"] = (() => _ = Example with { Batches = [null!] }, "Batches"),
        ["null parameters"] = (() => _ = Example with { Parameters = null! }, "Parameters"),
        ["Optimizer.Step(null, …)"] = (() => new Sgd(0.1).Create<double>().Step(null!, []), "parameters"),
        ["Optimizer.Step(…, null)"] = (() => new Adam().Create<double>().Step([], null!), "gradients"),
        ["a null parameter tensor"] = (() => new Sgd(0.1).Create<double>().Step([null!], [new double[1]]), "parameters"),
        ["a null gradient"] = (() => new Sgd(0.1).Create<double>().Step([new double[1]], [null!]), "gradients"),
        ["a null batch to a session"] = (() => new TrainingSession<double>(Example).Step(null!), "batch"),
    };

    public static TheoryData<string> NullNames => new(Nulls.Keys);

    [Theory]
    [MemberData(nameof(NullNames))]
    public void A_Null_Is_An_ArgumentNullException_Naming_What_Is_Null(string name)
    {
        (Action misuse, string parameter) = Nulls[name];
        Should.Throw<ArgumentNullException>(misuse).ParamName.ShouldBe(parameter, name);
    }

    [Fact]
    public void A_Bias_Of_The_Wrong_Length_Either_Way_Is_Refused_By_Network_Validation()
    {
        // Layer 2 has 2 units: a bias of 1 or of 3 elements is refused before any arithmetic, by the
        // network's own check, in words that say what it must be.
        foreach (int length in new[] { 1, 3 })
        {
            LayerParameters<double>[] p = P.ToArray();
            p[1] = p[1] with { Bias = new double[length] };
            Should.Throw<ArgumentException>(() => new Network<double>(Spec, p)).Message
                .ShouldBe($"layer 2: bias has {length} elements but the layer has 2 units, so it must have 2");
            Should.Throw<ArgumentException>(() => Trainer.Run(Example with { Parameters = p }, DType.Float32)).Message
                .ShouldStartWith("layer 2: bias has");
        }
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd with momentum")]
    [InlineData("adam")]
    public void An_Optimizer_Refuses_Tensors_Of_Another_Size_Than_On_Its_First_Step(string which)
    {
        OptimizerSpec spec = which switch
        {
            "sgd" => new Sgd(0.1),
            "sgd with momentum" => new Sgd(0.1, Momentum: 0.9),
            _ => new Adam(),
        };
        Optimizer<double> optimizer = spec.Create<double>();
        optimizer.Step([new double[3], new double[2]], [new double[3], new double[2]]);
        Should.Throw<ArgumentException>(() => optimizer.Step([new double[5], new double[2]], [new double[5], new double[2]])).Message
            .ShouldStartWith("parameter tensor 0 has 5 elements, but had 3 on this optimizer's first step");
        Should.Throw<ArgumentException>(() => optimizer.Step([new double[3]], [new double[3]])).Message
            .ShouldStartWith("this optimizer was first stepped on 2 parameter tensors, now on 1");
        optimizer.Step([new double[3], new double[2]], [new double[3], new double[2]]); // its own tensors still step
    }

    [Theory]
    [InlineData("sgd lr", "lr is 1E+39")]
    [InlineData("sgd weight_decay", "weight_decay is 1E+39")]
    [InlineData("sgd dampening", "1 − dampening is 1E+39")]
    [InlineData("adam lr", "the first step's size lr / (1 − β₁) is 1.0000000000000002E+40")]
    [InlineData("adamw lr·weight_decay", "1 − lr·weight_decay is -1E+39")]
    public void A_Setting_That_Does_Not_Fit_Float32_Is_Refused_Before_It_Makes_Infinity(string which, string start)
    {
        OptimizerSpec spec = which switch
        {
            "sgd lr" => new Sgd(1e39),
            "sgd weight_decay" => new Sgd(0.1, WeightDecay: 1e39),
            "sgd dampening" => new Sgd(0.1, Momentum: 0.5, Dampening: 1 - 1e39),
            "adam lr" => new Adam(1e39),
            _ => new AdamW(1e20, WeightDecay: 1e19),
        };
        string message = Should.Throw<ArgumentException>(() => spec.Create<float>()).Message;
        message.ShouldStartWith(start);
        message.ShouldContain("which does not fit float32 (largest finite value 3.4028235E+38)");
        Should.Throw<ArgumentException>(() => Trainer.Run(Example with { Optimizer = spec }, DType.Float32)).Message.ShouldBe(message);

        // The same setting fits float64, where libtorch takes it too.
        spec.Validate(DType.Float64);
        _ = spec.Create<double>();
    }

    [Fact]
    public void The_Largest_Float32_Learning_Rate_Is_Still_Accepted()
    {
        _ = new Sgd(float.MaxValue).Create<float>();
        Should.Throw<ArgumentException>(() => new Sgd(Math.BitIncrement((double)float.MaxValue)).Create<float>());
    }

    [Theory]
    [InlineData(1.5, "class-index targets must be whole numbers, but sample 1 has 1.5")]
    [InlineData(double.NaN, "class-index targets must be whole numbers, but sample 1 has NaN")]
    [InlineData(-100, "Target -100 is out of bounds.")]
    [InlineData(-1, "Target -1 is out of bounds.")]
    [InlineData(3, "Target 3 is out of bounds.")]
    [InlineData(1e30, "Target 1E+30 is out of bounds.")]
    public void A_Class_Index_That_Is_Not_Whole_And_In_Range_Is_Refused_By_The_Batch_Check(double index, string message)
    {
        var spec = new NetworkSpec(2, [new LayerSpec(3, Identity.Instance)], new CrossEntropy());
        var network = new Network<double>(spec, Initialization.PyTorchDefault(spec, new Random(1)));
        var batch = new Batch<double>(new Matrix<double>(2, 2), new Matrix<double>(2, 1, [0, index]), TargetKind.ClassIndices);
        Should.Throw<ArgumentException>(() => network.CheckBatch(batch)).Message.ShouldBe(message);
        var floats = new Network<float>(spec, Initialization.PyTorchDefault(spec, new Random(1)).Select(p => p.Convert<float>()).ToArray());
        Should.Throw<ArgumentException>(() => floats.CheckBatch(batch.Convert<float>())).Message.ShouldBe(message);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void A_Bce_Target_Outside_0_1_Is_Refused_By_The_Batch_Check(double target)
    {
        var network = new Network<double>(Spec, P);
        Batch<double> batch = Example.Batches[0] with { Y = new Matrix<double>(2, 1, [0, target]) };
        Should.Throw<ArgumentException>(() => network.CheckBatch(batch)).Message.ShouldBe("all elements of target should be between 0 and 1");
    }

    [Fact]
    public async Task A_TrainingSession_Stepped_From_A_Second_Thread_While_Busy_Throws()
    {
        using var blocker = new Blocker();
        TrainingCase c = Example with { Network = Spec with { Layers = [Spec.Layers[0], new LayerSpec(2, blocker), Spec.Layers[2]] } };
        var session = new TrainingSession<double>(c);
        Batch<double> batch = c.Batches[0];
        Task first = Task.Run(() => session.Step(batch));
        blocker.Entered.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue("the first step reached the blocking activation");
        Should.Throw<InvalidOperationException>(() => session.Step(batch)).Message.ShouldStartWith("this TrainingSession is already running a step on another thread");
        Should.Throw<InvalidOperationException>(() => session.Train(batch));
        blocker.Release.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        session.Step(batch); // free again once the first step is done
    }

    [Fact]
    public async Task A_Workspace_Used_From_A_Second_Thread_While_Busy_Throws()
    {
        using var blocker = new Blocker();
        NetworkSpec spec = Spec with { Layers = [Spec.Layers[0], new LayerSpec(2, blocker), Spec.Layers[2]] };
        var network = new Network<double>(spec, P);
        Batch<double> batch = Example.Batches[0];
        var workspace = new Workspace<double>(network, 2);
        Task first = Task.Run(() => Backpropagation.ForwardBackward(network, batch, workspace));
        blocker.Entered.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue("the first pass reached the blocking activation");
        Should.Throw<InvalidOperationException>(() => Backpropagation.ForwardBackward(network, batch, workspace))
            .Message.ShouldStartWith("this Workspace is already in use by a forward and backward pass on another thread");
        blocker.Release.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        _ = Backpropagation.ForwardBackward(network, batch, workspace);
    }

    [Fact]
    public async Task An_Optimizer_Stepped_From_A_Second_Thread_While_Busy_Throws()
    {
        using var blocker = new Blocker();
        var optimizer = new BlockingOptimizer(blocker);
        Task first = Task.Run(() => optimizer.Step([new double[1]], [new double[1]]));
        blocker.Entered.Wait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
        Should.Throw<InvalidOperationException>(() => optimizer.Step([new double[1]], [new double[1]]))
            .Message.ShouldStartWith("BlockingOptimizer.Step was called from a second thread while a step was running");
        blocker.Release.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>ReLU that waits, the first time it runs forward, until released: a pass held busy on purpose.</summary>
    private sealed class Blocker : ElementwiseActivation, IDisposable
    {
        private int calls;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public override string Name => "relu";

        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                Entered.Set();
                Release.Wait(TimeSpan.FromSeconds(30));
            }

            Relu.Instance.Forward(z, a);
        }

        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ) => Relu.Instance.Backward(z, a, dA, dZ);

        public override double Derivative(double z, double a) => Relu.Instance.Derivative(z, a);

        public void Dispose()
        {
            Release.Set();
            Entered.Dispose();
            Release.Dispose();
        }
    }

    private sealed class BlockingOptimizer(Blocker blocker) : Optimizer<double>
    {
        protected override void Update(IReadOnlyList<double[]> parameters, IReadOnlyList<double[]> gradients)
        {
            blocker.Entered.Set();
            blocker.Release.Wait(TimeSpan.FromSeconds(30));
        }
    }
}
