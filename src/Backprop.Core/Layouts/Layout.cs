using System.Numerics;

namespace Backprop.Core;

/// <summary>
/// How matrices are oriented: samples in rows (X is n×d, PyTorch and seed 004) or in columns
/// (X is d×n, column vectors, seeds 001–003), and W stored out×in (nn.Linear; seeds 001, 003,
/// 004) or in×out (z = Wᵀx + b, seed 002). Every per-sample matrix (X, Y, Z, A, ∂J/∂A, ∂J/∂Z)
/// follows <see cref="SamplesInColumns"/>; W and ∂J/∂W follow <see cref="WeightsInOut"/>; b and
/// ∂J/∂b are vectors in every layout. The core computes natively in each (see DenseFormulas).
/// </summary>
public sealed record Layout(bool SamplesInColumns, bool WeightsInOut)
{
    /// <summary>PyTorch's: X is n×d, W is out×in, Z = A·Wᵀ + b. The default.</summary>
    public static Layout RowsOutIn { get; } = new(false, false);

    /// <summary>X is n×d, W is in×out, Z = A·W + b.</summary>
    public static Layout RowsInOut { get; } = new(false, true);

    /// <summary>Column vectors, W out×in: z = W·a + b (Ng's notation, seeds 001 and 003).</summary>
    public static Layout ColumnsOutIn { get; } = new(true, false);

    /// <summary>Column vectors, W in×out: z = Wᵀ·x + b (seed 002).</summary>
    public static Layout ColumnsInOut { get; } = new(true, true);

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
    public int Samples<T>(Matrix<T> m)
        where T : INumberBase<T>
        => SamplesInColumns ? m.Cols : m.Rows;

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

    /// <summary>Index of element (sample s, unit u) of a per-sample matrix with the given unit count.</summary>
    public int IndexOf(int sample, int unit, int samples, int units)
        => SamplesInColumns ? (unit * samples) + sample : (sample * units) + unit;
}
