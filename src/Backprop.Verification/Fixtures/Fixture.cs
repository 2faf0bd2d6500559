using Backprop.Verification;

namespace Backprop.Verification;

/// <summary>What one step is expected to produce; any field left null is not checked. Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).</summary>
public sealed record LayerExpectation(
    Matrix<double>? Z = null,
    Matrix<double>? A = null,
    Matrix<double>? GradA = null,
    Matrix<double>? GradZ = null,
    Matrix<double>? GradWeight = null,
    double[]? GradBias = null);

/// <summary>Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).</summary>
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

    /// <summary>The same expectation with every matrix turned from one layout's orientation into another's.</summary>
    public StepExpectation InLayout(Layout from, Layout to) => new(
        Cost,
        Layers?.Select(l => new LayerExpectation(
            l.Z is null ? null : from.SamplesTo(to, l.Z),
            l.A is null ? null : from.SamplesTo(to, l.A),
            l.GradA is null ? null : from.SamplesTo(to, l.GradA),
            l.GradZ is null ? null : from.SamplesTo(to, l.GradZ),
            l.GradWeight is null ? null : from.WeightTo(to, l.GradWeight),
            l.GradBias)).ToArray(),
        Parameters?.Select(p => new LayerParameters<double>(from.WeightTo(to, p.Weight), p.Bias)).ToArray());
}

/// <summary>
/// A <c>backprop-fixture/1</c> file's case without its expectations: what a checker reads first,
/// before it reads and compares one step at a time (<see cref="FixtureReader.Open(string)"/>).
/// Thread-safe: immutable.
/// </summary>
public sealed record FixtureHeader(
    string Name,
    DType DType,
    TrainingCase Case,
    string? Description = null,
    string? Source = null,
    string? Generator = null,
    Tolerance? Tolerance = null)
{
    /// <summary>The file's tolerance, else the dtype's default.</summary>
    public Tolerance EffectiveTolerance => Tolerance ?? Verification.Tolerance.For(DType);

    /// <summary>The whole fixture, with these expectations.</summary>
    public Fixture With(IReadOnlyList<StepExpectation> expected)
        => new(Name, DType, Case, expected, Description, Source, Generator, Tolerance);
}

/// <summary>
/// A <c>backprop-fixture/1</c> file in memory. Matrices are held as the file orients them, which
/// is <see cref="TrainingCase.Layout"/> of <see cref="Case"/>.
/// Thread-safe to read: nothing changes it after it is made (its matrices are arrays that nothing writes).
/// </summary>
public sealed record Fixture(
    string Name,
    DType DType,
    TrainingCase Case,
    IReadOnlyList<StepExpectation> Expected,
    string? Description = null,
    string? Source = null,
    string? Generator = null,
    Tolerance? Tolerance = null)
{
    /// <summary>The same fixture with the case and every expectation turned into <paramref name="target"/>'s orientation.</summary>
    public Fixture InLayout(Layout target) => this with
    {
        Case = Case.InLayout(target),
        Expected = Expected.Select(e => e.InLayout(Case.Layout, target)).ToArray(),
    };

    public const string Format = "backprop-fixture/1";

    /// <summary>The file's tolerance, else the dtype's default.</summary>
    public Tolerance EffectiveTolerance => Tolerance ?? Verification.Tolerance.For(DType);

    /// <summary>The fixture without its expectations.</summary>
    public FixtureHeader Header => new(Name, DType, Case, Description, Source, Generator, Tolerance);
}
