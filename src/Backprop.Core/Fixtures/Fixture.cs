using Backprop.Core.Checking;

namespace Backprop.Core.Fixtures;

/// <summary>How a fixture file orients its matrices (see fixture-format.md, "layout").</summary>
public sealed record Layout(bool SamplesInColumns, bool WeightsInOut)
{
    /// <summary>PyTorch's: X is n×d, W is out×in. The default, and the orientation held in memory.</summary>
    public static Layout Default { get; } = new(false, false);

    public string SamplesName => SamplesInColumns ? "columns" : "rows";

    public string WeightsName => WeightsInOut ? "in-out" : "out-in";
}

/// <summary>What one step is expected to produce; any field left null is not checked.</summary>
public sealed record LayerExpectation(
    Matrix<double>? Z = null,
    Matrix<double>? A = null,
    Matrix<double>? GradA = null,
    Matrix<double>? GradZ = null,
    Matrix<double>? GradWeight = null,
    double[]? GradBias = null);

public sealed record StepExpectation(
    double Cost,
    IReadOnlyList<LayerExpectation>? Layers,
    IReadOnlyList<LayerParameters<double>>? Parameters)
{
    /// <summary>Every quantity of a record, as an expectation.</summary>
    public static StepExpectation From(StepRecord<double> step) => new(
        step.Cost,
        step.Layers.Select(l => new LayerExpectation(l.Z, l.A, l.GradA, l.GradZ, l.GradWeight, l.GradBias)).ToArray(),
        step.Parameters);
}

/// <summary>
/// A <c>backprop-fixture/1</c> file in memory. Matrices are held in the default layout (samples
/// in rows, W out×in) whatever <see cref="Layout"/> the file uses; the reader and writer turn them.
/// </summary>
public sealed record Fixture(
    string Name,
    DType DType,
    TrainingCase Case,
    IReadOnlyList<StepExpectation> Expected,
    string? Description = null,
    string? Source = null,
    string? Generator = null,
    Layout? Layout = null,
    Tolerance? Tolerance = null)
{
    public const string Format = "backprop-fixture/1";

    /// <summary>The file's tolerance, else the dtype's default.</summary>
    public Tolerance EffectiveTolerance => Tolerance ?? Checking.Tolerance.For(DType);
}
