using System.Globalization;

namespace Backprop.Verification;

/// <summary>
/// How one named quantity (a cost, a matrix, a vector) of actual values compares with its
/// expected values under a <see cref="Tolerance"/>: the maximum absolute and relative errors, the
/// count of mismatched elements, and the worst element, the one closest to (or furthest past) its
/// allowed difference.
/// Thread-safe: immutable.
/// </summary>
public sealed record QuantityComparison(
    string Quantity,
    int Total,
    int Mismatched,
    double MaxAbsError,
    double MaxRelError,
    string WorstIndex,
    double WorstExpected,
    double WorstActual,
    double WorstAllowed,
    string? ShapeError = null)
{
    /// <summary>True when the quantity was expected but the actual run did not report it: not a failure, but not checked.</summary>
    public bool NotProvided { get; init; }

    public bool Passed => NotProvided || (ShapeError is null && Mismatched == 0);

    /// <summary>An expected quantity that the results leave out (optional ones: z, a, gradA, gradZ).</summary>
    public static QuantityComparison Absent(string quantity) => new(quantity, 0, 0, 0, 0, "", double.NaN, double.NaN, double.NaN) { NotProvided = true };

    /// <summary>A failure of structure, not of values: a missing or extra step or layer.</summary>
    public static QuantityComparison Structure(string quantity, string problem) => ShapeMismatch(quantity, problem, 0);

    /// <summary>The step (1-based), when the quantity belongs to one.</summary>
    public int? Step { get; init; }

    /// <summary>The layer (1-based), when the quantity belongs to one.</summary>
    public int? Layer { get; init; }

    /// <summary>The quantity's own name within its step and layer: cost, z, gradWeight, weight after update, ….</summary>
    public string Name { get; init; } = Quantity;

    /// <summary>Compares two matrices element by element; a shape difference is itself a failure.</summary>
    public static QuantityComparison Compare(string quantity, Matrix<double> expected, Matrix<double> actual, Tolerance tolerance)
        => expected.Rows != actual.Rows || expected.Cols != actual.Cols
            ? ShapeMismatch(quantity, $"expected {expected.Shape}, got {actual.Shape}{TransposedHint(expected, actual, tolerance)}", expected.Data.Length)
            : Compare(quantity, expected.Data, actual.Data, tolerance, i => $"[{i / expected.Cols}, {i % expected.Cols}]");

    /// <summary>Compares two vectors element by element.</summary>
    public static QuantityComparison Compare(string quantity, double[] expected, double[] actual, Tolerance tolerance)
        => expected.Length != actual.Length
            ? ShapeMismatch(quantity, $"expected {expected.Length} elements, got {actual.Length}", expected.Length)
            : Compare(quantity, expected, actual, tolerance, i => $"[{i}]");

    /// <summary>Compares two scalars.</summary>
    public static QuantityComparison Compare(string quantity, double expected, double actual, Tolerance tolerance)
        => Compare(quantity, [expected], [actual], tolerance, _ => "");

    private static QuantityComparison Compare(
        string quantity, double[] expected, double[] actual, Tolerance tolerance, Func<int, string> index)
    {
        int mismatched = 0, worst = -1;
        double maxAbs = 0, maxRel = 0, worstExcess = double.NegativeInfinity;
        for (int i = 0; i < expected.Length; i++)
        {
            double distance = Tolerance.Distance(actual[i], expected[i]);
            double allowed = tolerance.Allowed(expected[i]);
            double relative = distance == 0 ? 0 : double.IsFinite(expected[i]) ? distance / Math.Abs(expected[i]) : double.PositiveInfinity;
            maxAbs = Math.Max(maxAbs, distance);
            maxRel = Math.Max(maxRel, relative);
            if (!(distance <= allowed))
            {
                mismatched++;
            }

            double excess = distance - allowed;
            if (worst < 0 || excess > worstExcess)
            {
                (worst, worstExcess) = (i, excess);
            }
        }

        return worst < 0
            ? new QuantityComparison(quantity, 0, 0, 0, 0, "", double.NaN, double.NaN, double.NaN)
            : new QuantityComparison(
                quantity, expected.Length, mismatched, maxAbs, maxRel, index(worst),
                expected[worst], actual[worst], tolerance.Allowed(expected[worst]));
    }

    /// <summary>Says so when the actual shape is the expected one transposed, and whether its values are the transpose.</summary>
    private static string TransposedHint(Matrix<double> expected, Matrix<double> actual, Tolerance tolerance)
    {
        if (expected.Rows != actual.Cols || expected.Cols != actual.Rows)
        {
            return "";
        }

        Matrix<double> transposed = actual.Transpose();
        bool same = expected.Data.Zip(transposed.Data).All(p => tolerance.Accepts(p.Second, p.First));
        return same
            ? ": transposed (its values are the expected matrix's transpose)"
            : ": the transposed shape (is the matrix transposed?)";
    }

    private static QuantityComparison ShapeMismatch(string quantity, string error, int total)
        => new(quantity, total, total, double.NaN, double.NaN, "", double.NaN, double.NaN, double.NaN, error);

    /// <summary>
    /// One line for people: <c>layer 2 gradWeight: 2 of 6 mismatched; worst at [1, 0]: expected
    /// 0.17519, actual 0.17529, |Δ| 1.0e-4 &gt; allowed 1.2e-5</c>. Values are printed in the
    /// shortest form that reads back to the same value of <paramref name="dtype"/> (float64 when
    /// not given).
    /// </summary>
    public string Describe(DType dtype = DType.Float64)
    {
        string R(double x) => dtype == DType.Float32
            ? ((float)x).ToString(CultureInfo.InvariantCulture)
            : x.ToString(CultureInfo.InvariantCulture);

        if (NotProvided)
        {
            return $"{Quantity}: not provided";
        }

        if (ShapeError is not null)
        {
            return Total == 0 ? $"{Quantity}: {ShapeError}" : $"{Quantity}: shape mismatch, {ShapeError}";
        }

        string verdict = Passed ? "agrees" : $"{Mismatched} of {Total} mismatched";
        if (Total == 0)
        {
            return $"{Quantity}: {verdict} (empty)";
        }

        double distance = Tolerance.Distance(WorstActual, WorstExpected);
        string at = WorstIndex.Length == 0 ? "" : $" at {WorstIndex}";
        return $"{Quantity}: {verdict}; max |Δ| {F(MaxAbsError)}, max rel {F(MaxRelError)}; " +
            $"worst{at}: expected {R(WorstExpected)}, actual {R(WorstActual)}, " +
            $"|Δ| {F(distance)} {(distance <= WorstAllowed ? "≤" : ">")} allowed {F(WorstAllowed)}";
    }

    public override string ToString() => Describe();

    private static string F(double x) => x.ToString("0.0#E+0", CultureInfo.InvariantCulture);
}
