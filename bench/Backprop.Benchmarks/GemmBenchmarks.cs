using BenchmarkDotNet.Attributes;
using Backprop.Cli;
using Backprop.Core.Kernels;

namespace Backprop.Benchmarks;

/// <summary>
/// The MNIST-size products of one training step (<see cref="SpeedCases.Products"/>: 784-256-128-10,
/// batch 64), float32, per path and thread count. Every product here is split among
/// <see cref="Threads"/> threads: the kernel's own speed is measured, whatever its size. (By default
/// a product as small as dA, 2²¹ multiply-adds, stays on one thread, as splitting it saved nothing
/// in whole training steps; see <see cref="KernelOptions.ParallelThreshold"/>.)
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];
    private KernelOptions options = KernelOptions.Default;
    private ProductCase product = SpeedCases.Products[0];

    [ParamsSource(nameof(ProductNames))]
    public string Product { get; set; } = "";

    public static IEnumerable<string> ProductNames => SpeedCases.Products.Select(p => p.Name);

    [Params(SimdPath.Vector512, SimdPath.Vector256)]
    public SimdPath Path { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        options = new KernelOptions { Threads = Threads, ParallelThreshold = 0, Path = Path };
        product = SpeedCases.Products.Single(p => p.Name == Product);
        var random = new Random(1);
        a = Enumerable.Range(0, product.M * product.K).Select(_ => (float)random.NextDouble()).ToArray();
        b = Enumerable.Range(0, product.K * product.N).Select(_ => (float)random.NextDouble()).ToArray();
        c = new float[product.M * product.N];
    }

    [Benchmark]
    public void Multiply() => product.Run(a, b, c, options);
}
