using Backprop.Cli;
using BenchmarkDotNet.Attributes;
using Backprop.Core;
using Backprop.Core.Kernels;
using Backprop.Oracle;

namespace Backprop.Benchmarks;

/// <summary>
/// One SGD training step of the core (<see cref="TrainingSession{T}.Train"/>) beside libtorch's
/// (<see cref="TorchSession.Train"/>: zero_grad, forward, cost, backward, step), on the networks
/// the performance goals name, in both dtypes, with both sides given the same thread count.
/// MemoryDiagnoser shows the core's allocations per step (0 bytes once warm).
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private TrainingSession<float>? coreFloat;
    private TrainingSession<double>? coreDouble;
    private Batch<float>? batchFloat;
    private Batch<double>? batchDouble;
    private TorchSession? torch;
    private TorchBatch? torchBatch;

    [Params("2-3-2-1 b2", "32-64-64-1 b16", "784-256-128-10 b64")]
    public string Case { get; set; } = "";

    [Params("float32", "float64")]
    public string DType { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Threads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "a thread count must be at least 1");
        }

        SpeedCase speedCase = SpeedCases.All.SingleOrDefault(c => c.Name == Case)
            ?? throw new ArgumentException($"unknown case \"{Case}\"; known: {string.Join(", ", SpeedCases.All.Select(c => c.Name))}");
        if (!DTypeNames.TryParse(DType, out DType dtype))
        {
            throw new ArgumentException($"unknown dtype \"{DType}\"; known: float32, float64");
        }

        TrainingCase c = speedCase.Case;
        TorchSharp.torch.set_num_threads(Threads);
        var kernels = new KernelOptions { Threads = Threads };
        (coreFloat, coreDouble) = (new TrainingSession<float>(c, kernels), new TrainingSession<double>(c, kernels));
        (batchFloat, batchDouble) = (c.Batches[0].Convert<float>(), c.Batches[0]);
        torch = new TorchSession(c, dtype);
        torchBatch = torch.Prepare(c.Batches[0]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        torchBatch?.Dispose();
        torch?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public double Libtorch() => torch!.Train(torchBatch!);

    [Benchmark]
    public double Core() => DType == "float32" ? coreFloat!.Train(batchFloat!) : coreDouble!.Train(batchDouble!);
}
