using BenchmarkDotNet.Attributes;
using Backprop.Core.Kernels;

namespace Backprop.Benchmarks;

/// <summary>
/// The MNIST-size products of one training step (784-256-128-10, batch 64), float32, per path and
/// thread count. Every product here is split among <see cref="Threads"/> threads: the kernel's own
/// speed is measured, whatever its size. (By default a product as small as dA, 2²¹ multiply-adds,
/// stays on one thread, as splitting it saved nothing in whole training steps; see
/// <see cref="KernelOptions.ParallelThreshold"/>.)
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];
    private KernelOptions options = KernelOptions.Default;

    [Params("forward 64×784·(256×784)ᵀ", "dW (64×256)ᵀ·64×784", "dA 64×256·256×128")]
    public string Product { get; set; } = "";

    [Params(SimdPath.Vector512, SimdPath.Vector256)]
    public SimdPath Path { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    private (int M, int K, int N) Shape => Product switch
    {
        "forward 64×784·(256×784)ᵀ" => (64, 784, 256),
        "dW (64×256)ᵀ·64×784" => (256, 64, 784),
        _ => (64, 256, 128),
    };

    [GlobalSetup]
    public void Setup()
    {
        options = new KernelOptions { Threads = Threads, ParallelThreshold = 0, Path = Path };
        (int m, int k, int n) = Shape;
        var random = new Random(1);
        a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble()).ToArray();
        b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble()).ToArray();
        c = new float[m * n];
    }

    [Benchmark]
    public void Multiply()
    {
        (int m, int k, int n) = Shape;
        switch (Product[0])
        {
            case 'f': Gemm.MultiplyTransposedB<float>(a, b, c, m, k, n, options); break;
            case 'd' when Product[1] == 'W': Gemm.MultiplyTransposedA<float>(a, b, c, m, k, n, options); break;
            default: Gemm.Multiply<float>(a, b, c, m, k, n, options); break;
        }
    }
}
