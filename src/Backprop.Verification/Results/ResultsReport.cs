using System.Globalization;

namespace Backprop.Verification;

/// <summary>
/// The table people read when their results meet a fixture: one row per quantity in dependency
/// order (forward, cost, backward from the last layer down, the update), optional quantities the
/// results left out marked "not provided", the first disagreement marked, then the likely causes.
/// Thread-safe: it holds no state.
/// </summary>
public static class ResultsReport
{
    public static void Print(
        string title, FixtureHeader fixture, Tolerance tolerance, IReadOnlyList<QuantityComparison> quantities, IReadOnlyList<Finding> findings, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(quantities);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(output);
        DType dtype = fixture.DType;
        QuantityComparison? first = quantities.FirstOrDefault(q => !q.Passed);
        output.WriteLine($"{title}: {fixture.Name}, {dtype.ToName()}, {fixture.Case.Network.Widths}, {fixture.Case.Layout}, {tolerance}");
        output.WriteLine($"  {"step",4} {"layer",5}  {"quantity",-20} {"max abs",9} {"max rel",9}  {"worst",-8} {"mismatched",10}  result");
        foreach (QuantityComparison r in quantities)
        {
            string layer = r.Layer?.ToString(CultureInfo.InvariantCulture) ?? "-";
            string step = r.Step?.ToString(CultureInfo.InvariantCulture) ?? "-";
            if (r.NotProvided)
            {
                output.WriteLine($"  {step,4} {layer,5}  {r.Name,-20} {"",9} {"",9}  {"",-8} {"",10}  not provided");
                continue;
            }

            string result = r.Passed ? "pass" : ReferenceEquals(r, first) ? "FAIL  <- first disagreement" : "FAIL";
            output.WriteLine(r.ShapeError is null
                ? string.Create(CultureInfo.InvariantCulture,
                    $"  {step,4} {layer,5}  {r.Name,-20} {r.MaxAbsError,9:0.00E+0} {r.MaxRelError,9:0.00E+0}  {r.WorstIndex,-8} {$"{r.Mismatched}/{r.Total}",10}  {result}")
                : $"  {step,4} {layer,5}  {r.Name,-20} {"",9} {"",9}  {"",-8} {"",10}  {result}");
            if (!r.Passed)
            {
                output.WriteLine($"        {r.Describe(dtype)}");
            }
        }

        int failed = quantities.Count(r => !r.Passed), absent = quantities.Count(r => r.NotProvided);
        string notProvided = absent == 0 ? "" : $"; {absent} not provided";
        output.WriteLine(failed == 0
            ? $"pass ({quantities.Count - absent} quantities agree{notProvided})"
            : $"FAIL ({failed} of {quantities.Count - absent} quantities disagree{notProvided}); first disagreement: {first!.Quantity}");
        foreach (Finding finding in findings)
        {
            output.WriteLine(finding.ToString());
        }
    }
}
