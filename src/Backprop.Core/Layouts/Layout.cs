using System.Numerics;

namespace Backprop.Core;

/// <summary>Where a per-sample matrix (X, Y, Z, A, ∂J/∂A, ∂J/∂Z) keeps its samples. Thread-safe: a value.</summary>
public enum SampleAxis
{
    /// <summary>One sample per row: n×units (PyTorch, seed 004).</summary>
    Rows,

    /// <summary>One sample per column: units×n (column vectors, seeds 001–003).</summary>
    Columns,
}

/// <summary>How a weight (and its gradient) is stored. Thread-safe: a value.</summary>
public enum WeightOrder
{
    /// <summary>out×in, as nn.Linear: Z = A·Wᵀ + b with samples in rows.</summary>
    OutIn,

    /// <summary>in×out: z = Wᵀ·x + b with column vectors.</summary>
    InOut,
}

/// <summary>
/// Where element (sample, unit) of a per-sample matrix lives in its row-major storage: the one
/// place that turns a <see cref="SampleAxis"/> into indices (activations over a sample's units,
/// losses' per-sample sums and sample-major order, layouts).
/// Thread-safe: a value.
/// </summary>
public readonly record struct SampleIndexing(int Samples, int Units, int SampleStride, int UnitStride)
{
    /// <summary>The indexing of <paramref name="m"/>, whose samples lie along <paramref name="axis"/>.</summary>
    public static SampleIndexing Of<T>(Matrix<T> m, SampleAxis axis)
        where T : INumberBase<T>
        => Of(m.Rows, m.Cols, axis);

    /// <summary>The indexing of a rows×cols matrix whose samples lie along <paramref name="axis"/>.</summary>
    public static SampleIndexing Of(int rows, int cols, SampleAxis axis)
        => axis == SampleAxis.Columns ? new(cols, rows, 1, cols) : new(rows, cols, cols, 1);

    /// <summary>The storage index of unit <paramref name="unit"/> of sample <paramref name="sample"/>.</summary>
    public int IndexOf(int sample, int unit) => (sample * SampleStride) + (unit * UnitStride);

    /// <summary>
    /// The storage index of the k-th element in sample-major order (sample by sample, each
    /// sample's units in order), which is storage order for samples in rows. Sums taken in this
    /// order come out the same in every layout.
    /// </summary>
    public int SampleMajor(int k) => IndexOf(k / Units, k % Units);
}

/// <summary>
/// How matrices are oriented: samples in rows (X is n×d, PyTorch and seed 004) or in columns
/// (X is d×n, column vectors, seeds 001–003), and W stored out×in (nn.Linear; seeds 001, 003,
/// 004) or in×out (z = Wᵀx + b, seed 002). Every per-sample matrix (X, Y, Z, A, ∂J/∂A, ∂J/∂Z)
/// follows <see cref="SamplesInColumns"/>; W and ∂J/∂W follow <see cref="WeightsInOut"/>; b and
/// ∂J/∂b are vectors in every layout. The core computes natively in each (see DenseFormulas).
/// Thread-safe: immutable.
/// </summary>
public sealed record Layout(SampleAxis Samples, WeightOrder Weights)
{
    /// <summary>PyTorch's: X is n×d, W is out×in, Z = A·Wᵀ + b. The default.</summary>
    public static Layout RowsOutIn { get; } = new(SampleAxis.Rows, WeightOrder.OutIn);

    /// <summary>X is n×d, W is in×out, Z = A·W + b.</summary>
    public static Layout RowsInOut { get; } = new(SampleAxis.Rows, WeightOrder.InOut);

    /// <summary>Column vectors, W out×in: z = W·a + b (Ng's notation, seeds 001 and 003).</summary>
    public static Layout ColumnsOutIn { get; } = new(SampleAxis.Columns, WeightOrder.OutIn);

    /// <summary>Column vectors, W in×out: z = Wᵀ·x + b (seed 002).</summary>
    public static Layout ColumnsInOut { get; } = new(SampleAxis.Columns, WeightOrder.InOut);

    public bool SamplesInColumns => Samples == SampleAxis.Columns;

    public bool WeightsInOut => Weights == WeightOrder.InOut;

    public static IReadOnlyList<Layout> All { get; } = [RowsOutIn, RowsInOut, ColumnsOutIn, ColumnsInOut];

    /// <summary>The fixture format's name for the sample orientation: "rows" or "columns".</summary>
    public string SamplesName => SamplesInColumns ? "columns" : "rows";

    /// <summary>The fixture format's name for the weight orientation: "out-in" or "in-out".</summary>
    public string WeightsName => WeightsInOut ? "in-out" : "out-in";

    public override string ToString() => $"samples={SamplesName}, weights={WeightsName}";

    /// <summary>The shape of a per-sample matrix of <paramref name="samples"/> samples and <paramref name="units"/> units.</summary>
    public (int Rows, int Cols) SampleShape(int samples, int units) => SamplesInColumns ? (units, samples) : (samples, units);

    /// <summary>The shape of a weight for a layer of <paramref name="units"/> units and <paramref name="inputs"/> inputs.</summary>
    public (int Rows, int Cols) WeightShape(int units, int inputs) => WeightsInOut ? (inputs, units) : (units, inputs);

    /// <summary>How many samples a per-sample matrix holds.</summary>
    public int SampleCount<T>(Matrix<T> m)
        where T : INumberBase<T>
        => SampleIndexing.Of(m, Samples).Samples;

    /// <summary>"n×2 (samples×features)" or "2×n (features×samples)", for messages.</summary>
    public string DescribeSampleShape(int units, string what = "features")
        => SamplesInColumns ? $"{units}×n ({what}×samples)" : $"n×{units} (samples×{what})";

    /// <summary>"(out×in)" or "(in×out)", for messages.</summary>
    public string WeightOrientation => WeightsInOut ? "(in×out)" : "(out×in)";

    /// <summary>Turns a per-sample matrix from this layout into <paramref name="target"/>'s.</summary>
    public Matrix<T> SamplesTo<T>(Layout target, Matrix<T> m)
        where T : INumberBase<T>
        => SamplesInColumns == target.SamplesInColumns ? m.Clone() : m.Transpose();

    /// <summary>Turns a weight (or weight gradient) from this layout into <paramref name="target"/>'s.</summary>
    public Matrix<T> WeightTo<T>(Layout target, Matrix<T> m)
        where T : INumberBase<T>
        => WeightsInOut == target.WeightsInOut ? m.Clone() : m.Transpose();
}
