using Backprop.Core;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Testing;

/// <summary>
/// Seeded random training cases over the core's whole vocabulary: any activation in hidden
/// layers, an output and loss that fit each other, any optimizer, 1–3 steps over two batches.
/// The same seed gives the same case.
/// </summary>
public static class RandomCases
{
    public static readonly Activation[] HiddenActivations =
    [
        Identity.Instance, Relu.Instance, new LeakyRelu(0.1), Sigmoid.Instance, Tanh.Instance, Softmax.Instance,
        Gelu.Exact, Gelu.TanhApproximate, Softplus.Default, new Elu(0.5),
    ];

    public static TrainingCase Build(int seed, int maxDepth = 3, int maxWidth = 5, int maxBatch = 4, bool dyadic = false)
    {
        var random = new Random(seed);
        double Value(double bound) => dyadic ? random.Next(-4, 5) / 4.0 : ((random.NextDouble() * 2) - 1) * bound;

        int inputs = random.Next(1, maxWidth + 1);
        int hidden = random.Next(0, maxDepth);
        var layers = new List<LayerSpec>();
        for (int l = 0; l < hidden; l++)
        {
            layers.Add(new LayerSpec(random.Next(1, maxWidth + 1), HiddenActivations[random.Next(HiddenActivations.Length)]));
        }

        (Activation output, int outputs, Loss loss, bool indices) = random.Next(6) switch
        {
            0 => ((Activation)Sigmoid.Instance, random.Next(1, 3), (Loss)new BinaryCrossEntropy(), false),
            1 => (Identity.Instance, random.Next(1, 3), new BinaryCrossEntropyWithLogits(Reduction.Sum), false),
            2 => (Tanh.Instance, random.Next(1, 4), new MseLoss(), false),
            3 => (Identity.Instance, random.Next(2, 4), new CrossEntropy(Reduction.Mean, 1, 0.1), true),
            4 => (Identity.Instance, random.Next(2, 4), new CrossEntropy(), false),
            _ => (Softmax.Instance, random.Next(2, 4), new MseLoss(Reduction.Sum, 0.5), false),
        };
        layers.Add(new LayerSpec(outputs, output));
        var spec = new NetworkSpec(inputs, layers, loss);

        var parameters = layers.Select((layer, i) =>
        {
            int fanIn = spec.InputsOf(i + 1);
            var w = new Matrix<double>(layer.Units, fanIn);
            for (int k = 0; k < w.Data.Length; k++) w.Data[k] = Value(1 / Math.Sqrt(fanIn));
            return new LayerParameters<double>(w, Enumerable.Range(0, layer.Units).Select(_ => Value(1 / Math.Sqrt(fanIn))).ToArray());
        }).ToArray();

        int batch = random.Next(1, maxBatch + 1);
        Batch<double> MakeBatch()
        {
            var x = new Matrix<double>(batch, inputs);
            for (int k = 0; k < x.Data.Length; k++) x.Data[k] = Value(2);
            if (indices)
            {
                return new Batch<double>(x, new Matrix<double>(batch, 1, Enumerable.Range(0, batch).Select(_ => (double)random.Next(outputs)).ToArray()), TargetKind.ClassIndices);
            }

            var y = new Matrix<double>(batch, outputs);
            for (int i = 0; i < batch; i++)
            {
                Span<double> row = y.Row(i);
                for (int j = 0; j < outputs; j++) row[j] = loss is MseLoss ? Value(1) : random.Next(2);
                if (loss is CrossEntropy)
                {
                    int[] weights = Enumerable.Range(0, outputs).Select(_ => random.Next(1, 4)).ToArray();
                    for (int j = 0; j < outputs; j++) row[j] = weights[j] / (double)weights.Sum();
                }
            }

            return new Batch<double>(x, y, TargetKind.Values);
        }

        OptimizerSpec? optimizer = random.Next(5) switch
        {
            0 => null,
            1 => new Sgd(0.1),
            2 => new Sgd(0.05, Momentum: 0.9, Nesterov: true),
            3 => new Adam(0.01, Amsgrad: random.Next(2) == 0),
            _ => new AdamW(0.01),
        };

        return new TrainingCase(spec, parameters, [MakeBatch(), MakeBatch()], optimizer, random.Next(1, 4));
    }
}
