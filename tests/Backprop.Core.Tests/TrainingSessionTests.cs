using Backprop.Verification;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Testing;
using FsCheck.Xunit;

namespace Backprop.Core.Tests;

/// <summary>The allocation-free training loop: the same numbers as the recording one, and no garbage.</summary>
public class TrainingSessionTests
{
    [Property(MaxTest = 200)]
    public void Train_Gives_The_Numbers_Of_Step_Bitwise(int seed, bool float32)
    {
        TrainingCase c = RandomNetworks.Case(seed, new(MaxDepth: 4, MaxWidth: 20, MaxBatch: 8, MaxInputs: 20, MaxSteps: 3, Regime: ValueRegime.Gaussian));
        foreach (Layout layout in Layout.All)
        {
            if (float32)
            {
                Same<float>(c.InLayout(layout));
            }
            else
            {
                Same<double>(c.InLayout(layout));
            }
        }
    }

    private static void Same<T>(TrainingCase c)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var recording = new TrainingSession<T>(c);
        var training = new TrainingSession<T>(c);
        for (int k = 0; k < c.Steps + 2; k++)
        {
            Batch<T> batch = c.BatchOfStep(k).Convert<T>();
            T expected = recording.Step(batch).Cost;
            T cost = training.Train(batch);
            (cost.Equals(expected) || (T.IsNaN(cost) && T.IsNaN(expected))).ShouldBeTrue($"step {k}: cost {cost} against {expected}");
        }

        for (int l = 0; l < c.Network.Layers.Count; l++)
        {
            training.Network.Parameters[l].Weight.Data.ShouldBe(recording.Network.Parameters[l].Weight.Data);
            training.Network.Parameters[l].Bias.ShouldBe(recording.Network.Parameters[l].Bias);
        }
    }

    public static TheoryData<string, string, string> SteadyStateCases => new()
    {
        { "2-3-2-1 relu sigmoid bce", "sgd", "float32" },
        { "32-64-64-1 relu sigmoid bce", "sgd", "float64" },
        { "64-128-32-10 relu identity cross_entropy", "adam", "float32" },
        { "64-128-32-10 tanh identity cross_entropy", "adamw", "float64" },
        { "20-17-3 gelu softmax mse", "sgd", "float32" },
        { "20-17-3 elu identity bce_with_logits", "adam", "float64" },
        { "784-256-128-10 relu identity cross_entropy", "sgd", "float32" },
    };

    /// <summary>
    /// Once the workspace exists, a training step allocates nothing on its thread: every Z, A,
    /// gradient and optimizer buffer is reused (measured with the runtime's own counter).
    /// </summary>
    [Theory]
    [MemberData(nameof(SteadyStateCases))]
    public void A_Steady_State_Training_Step_Allocates_Nothing(string network, string optimizer, string dtype)
    {
        TrainingCase c = Build(network, optimizer);
        if (dtype == "float32")
        {
            AllocatedOverSteps<float>(c).ShouldBe(0);
        }
        else
        {
            AllocatedOverSteps<double>(c).ShouldBe(0);
        }
    }

    /// <summary>Bytes allocated on this thread by 20 steps after 20 to warm up (all of them, not an average that could round a few away).</summary>
    private static long AllocatedOverSteps<T>(TrainingCase c)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        var session = new TrainingSession<T>(c);
        Batch<T> batch = c.Batches[0].Convert<T>();
        for (int k = 0; k < 20; k++)
        {
            session.Train(batch);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 20; k++)
        {
            session.Train(batch);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static TrainingCase Build(string description, string optimizer)
    {
        string[] parts = description.Split(' ');
        int[] widths = parts[0].Split('-').Select(int.Parse).ToArray();
        Activation hidden = Vocabulary.Activation(parts[1])!.Default, output = Vocabulary.Activation(parts[2])!.Default;
        (Loss loss, bool indices) = parts[3] switch
        {
            "bce" => ((Loss)new BinaryCrossEntropy(), false),
            "bce_with_logits" => (new BinaryCrossEntropyWithLogits(), false),
            "mse" => (new MseLoss(), false),
            _ => (new CrossEntropy(), true),
        };
        var layers = widths.Skip(1).Select((w, i) => new LayerSpec(w, i == widths.Length - 2 ? output : hidden)).ToArray();
        var spec = new NetworkSpec(widths[0], layers, loss);
        var random = new Random(5);
        LayerParameters<double>[] parameters = Initialization.PyTorchDefault(spec, random);
        const int n = 16;
        var x = new Matrix<double>(n, widths[0], Enumerable.Range(0, n * widths[0]).Select(_ => random.NextDouble() - 0.5).ToArray());
        int outputs = widths[^1];
        var y = indices
            ? new Matrix<double>(n, 1, Enumerable.Range(0, n).Select(i => (double)(i % outputs)).ToArray())
            : new Matrix<double>(n, outputs, Enumerable.Range(0, n * outputs).Select(_ => (double)random.Next(2)).ToArray());
        OptimizerSpec o = optimizer switch
        {
            "sgd" => new Sgd(0.01, Momentum: 0.9, WeightDecay: 1e-4),
            "adam" => new Adam(),
            _ => new AdamW(),
        };
        return new TrainingCase(spec, parameters, [new Batch<double>(x, y, indices ? TargetKind.ClassIndices : TargetKind.Values)], o);
    }
}
