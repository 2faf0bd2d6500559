using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Verification;

namespace Backprop.Oracle.Tests;

/// <summary>
/// The oracle refuses, in C# and in the core's own words, everything the core refuses, before
/// libtorch sees it: class indices that are not whole numbers in range (which libtorch would
/// take silently, or throw from native code), BCE targets outside [0, 1], settings that do not fit
/// the dtype, batches of another session, and a session used from two threads at once.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class OracleMisuseTests
{
    private static readonly NetworkSpec Classifier = new(2, [new LayerSpec(3, Tanh.Instance), new LayerSpec(3, Identity.Instance)], new CrossEntropy());

    private static TrainingCase WithClassIndex(double index) => new(
        Classifier,
        Initialization.PyTorchDefault(Classifier, new Random(1)),
        [new Batch<double>(new Matrix<double>(2, 2, [0.5, -1, 2, 0.25]), new Matrix<double>(2, 1, [2, index]), TargetKind.ClassIndices)],
        new Sgd(0.1));

    [Theory]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(-100)]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(1e30)]
    public void A_Bad_Class_Index_Is_Refused_By_The_Oracle_In_The_Cores_Words(double index)
    {
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            string core = Should.Throw<ArgumentException>(() => Trainer.Run(WithClassIndex(index), dtype)).Message;
            Should.Throw<ArgumentException>(() => TorchOracle.Run(WithClassIndex(index), dtype)).Message.ShouldBe(core);
            using var session = new TorchSession(WithClassIndex(0), dtype);
            Should.Throw<ArgumentException>(() => session.Step(WithClassIndex(index).Batches[0])).Message.ShouldBe(core);
            Should.Throw<ArgumentException>(() => session.Prepare(WithClassIndex(index).Batches[0])).Message.ShouldBe(core);
        }
    }

    [Fact]
    public void A_Bce_Target_Outside_0_1_Is_Refused_By_The_Oracle_In_The_Cores_Words()
    {
        TrainingCase c = WorkedExample.Case with { Batches = [WorkedExample.Case.Batches[0] with { Y = new Matrix<double>(2, 1, [0, 2]) }] };
        string core = Should.Throw<ArgumentException>(() => Trainer.Run(c, DType.Float32)).Message;
        core.ShouldBe("all elements of target should be between 0 and 1");
        Should.Throw<ArgumentException>(() => TorchOracle.Run(c, DType.Float32)).Message.ShouldBe(core);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void A_Setting_That_Does_Not_Fit_Float32_Is_Refused_By_The_Oracle_In_The_Cores_Words(string name)
    {
        TrainingCase c = WorkedExample.Case with { Optimizer = name == "sgd" ? new Sgd(1e39) : new Adam(1e39) };
        string core = Should.Throw<ArgumentException>(() => Trainer.Run(c, DType.Float32)).Message;
        Should.Throw<ArgumentException>(() => TorchOracle.Run(c, DType.Float32)).Message.ShouldBe(core);
    }

    [Fact]
    public void A_Batch_Prepared_By_Another_Session_Is_Refused()
    {
        using var mine = new TorchSession(WorkedExample.Case, DType.Float64);
        using var other = new TorchSession(WithClassIndex(0), DType.Float64);
        using TorchBatch batch = other.Prepare(WithClassIndex(0).Batches[0]);
        Should.Throw<ArgumentException>(() => mine.Train(batch)).Message.ShouldStartWith("this batch was prepared by another TorchSession");
        double cost = other.Train(batch);
        double.IsFinite(cost).ShouldBeTrue();
    }

    [Fact]
    public void A_Disposed_Batch_Or_Session_Is_Refused()
    {
        var session = new TorchSession(WorkedExample.Case, DType.Float64);
        TorchBatch batch = session.Prepare(WorkedExample.Case.Batches[0]);
        batch.Dispose();
        Should.Throw<ObjectDisposedException>(() => session.Train(batch));
        session.Dispose();
        Should.Throw<ObjectDisposedException>(() => session.Step(WorkedExample.Case.Batches[0]));
    }

    [Fact]
    public async Task A_Session_Used_From_Two_Threads_Throws_Only_InvalidOperationException()
    {
        // Two threads step one session as fast as they can. Every call either completes or is
        // refused with InvalidOperationException; nothing reaches libtorch's autograd twice at once.
        var spec = new NetworkSpec(32, [new LayerSpec(64, Relu.Instance), new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy());
        var random = new Random(3);
        var x = new Matrix<double>(16, 32, Enumerable.Range(0, 16 * 32).Select(_ => random.NextDouble()).ToArray());
        var y = new Matrix<double>(16, 1, Enumerable.Range(0, 16).Select(i => (double)(i % 2)).ToArray());
        var c = new TrainingCase(spec, Initialization.PyTorchDefault(spec, random), [new Batch<double>(x, y, TargetKind.Values)], new Sgd(0.01));
        using var session = new TorchSession(c, DType.Float64);
        var refusals = 0;
        var others = new List<Exception>();
        using var start = new Barrier(2);
        Task Run() => Task.Run(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < 100; i++)
            {
                try
                {
                    session.Step(c.Batches[0]);
                }
                catch (InvalidOperationException e) when (e.Message.StartsWith("this TorchSession is already in use on another thread", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refusals);
                }
                catch (Exception e)
                {
                    lock (others)
                    {
                        others.Add(e);
                    }
                }
            }
        });
        await Task.WhenAll(Run(), Run());
        others.ShouldBeEmpty();
    }
}
