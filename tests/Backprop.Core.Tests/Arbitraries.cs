using FsCheck;
using FsCheck.Fluent;

namespace Backprop.Core.Tests;

/// <summary>Operands for one matrix product C (m×n) = A (m×k) · B (k×n), in row-major arrays.</summary>
public sealed record GemmCase(int M, int K, int N, double[] A, double[] B)
{
    public override string ToString() => $"m={M}, k={K}, n={N}";
}

/// <summary>Every FsCheck generator of the core tests, with bounded shapes.</summary>
public static class Arbitraries
{
    /// <summary>Sizes from 1 (the degenerate case) to 33 (past every SIMD width), values not dyadic, so sums round.</summary>
    public static Arbitrary<GemmCase> GemmCases() => Arb.From(
        from m in Gen.Choose(1, 33)
        from k in Gen.Choose(1, 33)
        from n in Gen.Choose(1, 33)
        from a in Values(m * k)
        from b in Values(k * n)
        select new GemmCase(m, k, n, a, b));

    private static Gen<double[]> Values(int count)
        => Gen.Choose(-1_000_000, 1_000_000).Select(i => i * Math.PI / 1e5).ArrayOf(count);
}
