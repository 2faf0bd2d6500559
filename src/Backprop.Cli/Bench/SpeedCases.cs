using System.Diagnostics;
using System.Numerics;
using System.Runtime.Intrinsics;
using Backprop.Core;
using Backprop.Oracle;
using Backprop.Core.Activations;
using Backprop.Verification;
using Backprop.Core.Kernels;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Cli;

/// <summary>A network timed by the benchmarks: one SGD training step on one batch. Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).</summary>
public sealed record SpeedCase(string Name, TrainingCase Case)
{
    /// <summary>
    /// Multiply-adds in one step's matrix products: the forward Z = A·Wᵀ and the backward dW of
    /// every layer, and dA for every layer but the first. GFLOP/s are 2·this / time.
    /// </summary>
    public long MultiplyAdds
    {
        get
        {
            int n = Case.Batches[0].X.Rows;
            NetworkSpec spec = Case.Network;
            long total = 0;
            for (int l = 1; l <= spec.Layers.Count; l++)
            {
                long product = (long)n * spec.InputsOf(l) * spec.Layers[l - 1].Units;
                total += product * (l == 1 ? 2 : 3);
            }

            return total;
        }
    }

    /// <summary>The same network with a batch of <paramref name="samples"/> (the first rows repeated as needed).</summary>
    public SpeedCase WithBatch(int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1, "batch size");
        Batch<double> b = Case.Batches[0];
        var x = new Matrix<double>(samples, b.X.Cols);
        var y = new Matrix<double>(samples, b.Y.Cols);
        for (int i = 0; i < samples; i++)
        {
            b.X.Row(i % b.X.Rows).CopyTo(x.Row(i));
            b.Y.Row(i % b.Y.Rows).CopyTo(y.Row(i));
        }

        return this with { Case = Case with { Batches = [new Batch<double>(x, y, b.Targets)] } };
    }
}

/// <summary>The three networks the performance goals name, and a side-by-side timer. Thread-safe: the cases are never changed; each timing makes its own sessions.</summary>
public static class SpeedCases
{
    public static IReadOnlyList<SpeedCase> All { get; } =
    [
        new("2-3-2-1 b2", WorkedExample.Case),
        Dense("32-64-64-1 b16", [32, 64, 64, 1], 16, Sigmoid.Instance, new BinaryCrossEntropy(), indices: false),
        Dense("784-256-128-10 b64", [784, 256, 128, 10], 64, Identity.Instance, new CrossEntropy(), indices: true),
    ];

    private static SpeedCase Dense(string name, int[] widths, int samples, Activation output, Loss loss, bool indices)
    {
        var layers = widths.Skip(1).Select((w, i) => new LayerSpec(w, i == widths.Length - 2 ? output : Relu.Instance)).ToArray();
        var spec = new NetworkSpec(widths[0], layers, loss);
        var random = new Random(7);
        LayerParameters<double>[] parameters = Initialization.PyTorchDefault(spec, random);
        var x = new Matrix<double>(samples, widths[0], Enumerable.Range(0, samples * widths[0]).Select(_ => random.NextDouble()).ToArray());
        var y = indices
            ? new Matrix<double>(samples, 1, Enumerable.Range(0, samples).Select(i => (double)(i % widths[^1])).ToArray())
            : new Matrix<double>(samples, 1, Enumerable.Range(0, samples).Select(i => (double)(i % 2)).ToArray());
        return new SpeedCase(name, new TrainingCase(spec, parameters, [new Batch<double>(x, y, indices ? TargetKind.ClassIndices : TargetKind.Values)], new Sgd(0.01)));
    }

    /// <summary>
    /// Times one training step of the core and of libtorch on <paramref name="speedCase"/>, both
    /// with <paramref name="threads"/> threads, in one run: each side is warmed up, then timed in
    /// rounds of at least <paramref name="round"/> each, alternating, and the fastest round per
    /// side counts (the least disturbed by the rest of the machine). Returns microseconds per step.
    /// </summary>
    public static (double CoreMicros, double TorchMicros) Time(SpeedCase speedCase, DType dtype, int threads, TimeSpan round, int rounds)
    {
        ArgumentNullException.ThrowIfNull(speedCase);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, "thread count");
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1, nameof(rounds));
        return dtype == DType.Float32 ? Time<float>(speedCase, dtype, threads, round, rounds) : Time<double>(speedCase, dtype, threads, round, rounds);
    }

    private static (double, double) Time<T>(SpeedCase speedCase, DType dtype, int threads, TimeSpan round, int rounds)
        where T : IFloatingPointIeee754<T>
    {
        var core = new TrainingSession<T>(speedCase.Case, new KernelOptions { Threads = threads });
        Batch<T> batch = speedCase.Case.Batches[0].Convert<T>();
        using var torch = new TorchSession(speedCase.Case, dtype);
        using TorchBatch torchBatch = torch.Prepare(speedCase.Case.Batches[0]);
        try
        {
            TorchSharp.torch.set_num_threads(threads);
            double coreBest = double.MaxValue, torchBest = double.MaxValue;
            for (int r = 0; r <= rounds; r++)
            {
                double c = Round(() => core.Train(batch), RoundLength(r, round)), t = Round(() => torch.Train(torchBatch), RoundLength(r, round));
                if (r > 0)
                {
                    (coreBest, torchBest) = (Math.Min(coreBest, c), Math.Min(torchBest, t));
                }
            }

            return (coreBest, torchBest);
        }
        finally
        {
            TorchSharp.torch.set_num_threads(1); // the oracle's setting (TorchOracle)
        }
    }

    /// <summary>
    /// This machine's measured float32 multiply-add peak in GFLOP/s on <paramref name="threads"/>
    /// threads: each runs twelve independent chains of fused multiply-adds on the widest vectors
    /// the machine has (512 bits with AVX-512, else 256), enough to fill every FMA unit. The best
    /// of several rounds over about <paramref name="duration"/>, as the least disturbed by the rest
    /// of the machine. The reference the products' GFLOP/s are reported against.
    /// </summary>
    public static double PeakGflops(int threads, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, "thread count");
        bool wide = Vector512.IsHardwareAccelerated;
        long FmaLoop(long iterations) => wide ? FmaChains<Vector512<float>>(iterations) : FmaChains<Vector256<float>>(iterations);
        FmaLoop(10); // JIT and warm-up
        long perRound = 1;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration / 20)
        {
            FmaLoop(perRound);
            perRound *= 2;
        }

        double best = 0;
        for (int r = 0; r < 10; r++)
        {
            clock.Restart();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => FmaLoop(perRound));
            double flops = 2.0 * FmaChainCount * FmaChainSteps * (wide ? 16 : 8) * perRound * threads;
            best = Math.Max(best, flops / clock.Elapsed.TotalSeconds / 1e9);
        }

        return best;
    }

    private const int FmaChainCount = 12, FmaChainSteps = 1000;

    private static long FmaChains<TVector>(long iterations)
        where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<float> x = Vector512.Create(0.999999f), y = Vector512.Create(1e-7f);
            Vector512<float> a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y, a8 = y, a9 = y, a10 = y, a11 = y;
            for (long i = 0; i < iterations * FmaChainSteps; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
                a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
                a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
                a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
                a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
                a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            }

            // Consumed, so the loop is not removed.
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11) > float.MaxValue ? 0 : iterations;
        }
        else
        {
            Vector256<float> x = Vector256.Create(0.999999f), y = Vector256.Create(1e-7f);
            Vector256<float> a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y, a8 = y, a9 = y, a10 = y, a11 = y;
            for (long i = 0; i < iterations * FmaChainSteps; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
                a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
                a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
                a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
                a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
                a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
            }

            return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11) > float.MaxValue ? 0 : iterations;
        }
    }

    /// <summary>The three products of the MNIST-size step (784-256-128-10, batch 64) that the performance goals name, float32.</summary>
    public static IReadOnlyList<ProductCase> Products { get; } =
    [
        new("forward (64×784)·(256×784)ᵀ", ProductForm.TransposedB, 64, 784, 256),
        new("dW (64×256)ᵀ·(64×784)", ProductForm.TransposedA, 256, 64, 784),
        new("dA (64×256)·(256×128)", ProductForm.Plain, 64, 256, 128),
    ];

    /// <summary>
    /// Microseconds per product on <paramref name="threads"/> threads, the fastest of
    /// <paramref name="rounds"/> rounds after a warm-up. Every product is split among the threads,
    /// whatever its size, so the kernel's own speed is measured (in training, a product of under
    /// 2²² multiply-adds stays on one thread).
    /// </summary>
    public static double Time(ProductCase product, int threads, TimeSpan round, int rounds)
    {
        ArgumentNullException.ThrowIfNull(product);
        var random = new Random(1);
        float[] a = Enumerable.Range(0, product.M * product.K).Select(_ => (float)random.NextDouble()).ToArray();
        float[] b = Enumerable.Range(0, product.K * product.N).Select(_ => (float)random.NextDouble()).ToArray();
        var c = new float[product.M * product.N];
        var options = new KernelOptions { Threads = threads, ParallelThreshold = 0 };
        double best = double.MaxValue;
        for (int r = 0; r <= rounds; r++)
        {
            double t = Round(() => product.Run(a, b, c, options), RoundLength(r, round));
            best = r > 0 ? Math.Min(best, t) : best;
        }

        return best;
    }

    /// <summary>
    /// Round 0 warms up, long enough for the JIT's tiered recompilation to finish (measured: 300 ms
    /// left the first case's float32 step at twice its final time); the others last <paramref name="round"/>.
    /// </summary>
    private static TimeSpan RoundLength(int r, TimeSpan round)
        => r == 0 ? TimeSpan.FromTicks(Math.Max(round.Ticks * 5, TimeSpan.FromMilliseconds(500).Ticks)) : round;

    /// <summary>Microseconds per call over as many calls as fit in <paramref name="round"/> (at least 3).</summary>
    private static double Round(Action step, TimeSpan round)
    {
        long calls = 0;
        var clock = Stopwatch.StartNew();
        while (calls < 3 || clock.Elapsed < round)
        {
            step();
            calls++;
        }

        return clock.Elapsed.TotalMicroseconds / calls;
    }
}

/// <summary>Which operand of a product is stored transposed.</summary>
public enum ProductForm
{
    Plain,
    TransposedA,
    TransposedB,
}

/// <summary>A float32 matrix product C = A·B (m×k by k×n), as one of backprop's three forms.</summary>
public sealed record ProductCase(string Name, ProductForm Form, int M, int K, int N)
{
    /// <summary>Multiply-adds in the product: m·k·n.</summary>
    public long MultiplyAdds => (long)M * K * N;

    public void Run(float[] a, float[] b, float[] c, KernelOptions options)
    {
        switch (Form)
        {
            case ProductForm.TransposedB: Gemm.MultiplyTransposedB<float>(a, b, c, M, K, N, options); break;
            case ProductForm.TransposedA: Gemm.MultiplyTransposedA<float>(a, b, c, M, K, N, options); break;
            default: Gemm.Multiply<float>(a, b, c, M, K, N, options); break;
        }
    }
}
