namespace Backprop.Core;

/// <summary>Starting parameters for a network, from a seeded random source. Thread-safe: it holds no state; the Random passed in is the caller's, and is not thread-safe.</summary>
public static class Initialization
{
    /// <summary>
    /// PyTorch's default for nn.Linear: every weight and bias uniform in [−1/√fan_in, 1/√fan_in]
    /// (kaiming_uniform_ with a = √5 gives the same bound for the weights). The values come from
    /// <paramref name="random"/>, not from libtorch's generator, so the core and libtorch can both
    /// be handed the same numbers.
    /// </summary>
    public static LayerParameters<double>[] PyTorchDefault(NetworkSpec spec, Random random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(random);
        return spec.Layers.Select((layer, i) =>
        {
            int fanIn = spec.InputsOf(i + 1);
            double bound = 1 / Math.Sqrt(fanIn);
            double Uniform() => ((random.NextDouble() * 2) - 1) * bound;
            var weight = new Matrix<double>(layer.Units, fanIn);
            for (int k = 0; k < weight.Data.Length; k++)
            {
                weight.Data[k] = Uniform();
            }

            return new LayerParameters<double>(weight, Enumerable.Range(0, layer.Units).Select(_ => Uniform()).ToArray());
        }).ToArray();
    }
}
