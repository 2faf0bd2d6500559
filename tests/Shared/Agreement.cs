using Backprop.Core;
using Backprop.Verification;
using Shouldly;

namespace Backprop.Testing;

/// <summary>
/// The one wrap around Shouldly for numbers (its ShouldBe tolerance is absolute only): a failure
/// names each mismatched quantity, its worst index, both values and the allowed difference.
/// </summary>
public static class Agreement
{
    public static void ShouldAllPass(this IEnumerable<QuantityComparison> results)
    {
        QuantityComparison[] all = results.ToArray();
        all.ShouldNotBeEmpty("nothing was compared");
        string[] failures = all.Where(r => !r.Passed).Select(r => r.Describe()).ToArray();
        if (failures.Length > 0)
        {
            throw new ShouldAssertException(
                $"{failures.Length} of {all.Length} quantities mismatched:\n  " + string.Join("\n  ", failures));
        }
    }

    /// <summary>Compares a run with every quantity of another run (or of a fixture's expectations).</summary>
    public static IReadOnlyList<QuantityComparison> Compare(
        IReadOnlyList<StepRecord<double>> expected, IReadOnlyList<StepRecord<double>> actual, Tolerance tolerance)
        => StepComparison.Compare(expected.Select(StepExpectation.From).ToArray(), actual, tolerance);

    /// <summary>The repository's folder, found by walking up to Backprop.Verify.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Backprop.Verify.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Backprop.Verify.sln above {AppContext.BaseDirectory}");
    }

    public static string FixturePath(string fileName) => Path.Combine(RepositoryRoot(), "fixtures", fileName);
}
