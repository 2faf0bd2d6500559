using System.Text.Json.Nodes;
using Backprop.Verification;
using Backprop.Testing;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>
/// The committed fixtures as an Intel Xeon's libtorch regenerates them (tests/data/cross-cpu): the
/// evidence that libtorch's last bits depend on the CPU, and that the drift check calls that
/// rounding while it still rejects a change of meaning.
/// </summary>
public class CrossCpuTests
{
    private static string IntelPath(string file) => Path.Combine(Agreement.RepositoryRoot(), "tests", "data", "cross-cpu", "intel-xeon", file);

    /// <summary>The twelve fixtures committed when the Intel regenerations were made (later fixtures have none).</summary>
    public static IReadOnlyList<string> FileNames { get; } = Directory.GetFiles(Path.GetDirectoryName(IntelPath("x"))!, "*.json")
        .Select(f => Path.GetFileName(f)!).Order().ToArray();

    public static TheoryData<string> Files => new(FileNames);

    [Fact]
    public void Every_Intel_Regeneration_Is_Of_A_Committed_Fixture()
    {
        FileNames.Count.ShouldBe(12);
        FileNames.ShouldBeSubsetOf(FixtureFilesTests.FileNames);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_Intel_Regeneration_Passes_Check(string file)
    {
        FixtureCheck check = FixtureChecker.CheckFile(IntelPath(file));
        check.ExitCode.ShouldBe(FixtureCheck.Passed, check.Error ?? string.Join("; ", check.Quantities.Where(q => !q.Passed).Select(q => q.Describe())));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_Intel_Regeneration_Is_Rounding_Level_Drift_From_The_Committed_File(string file)
    {
        FixtureDriftReport report = FixtureDrift.Compare(File.ReadAllText(Agreement.FixturePath(file)), File.ReadAllText(IntelPath(file)));
        report.Kind.ShouldNotBe(DriftKind.Drifted, report.Describe());
        report.Numbers.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void The_Intel_Files_Do_Differ_In_The_Last_Bits_So_The_Tests_Above_Compare_Something()
    {
        // Measured on the Xeon: 10 of 12 files differ, by 1 to 251 ulps.
        FixtureDriftReport[] reports = FileNames
            .Select(f => FixtureDrift.Compare(File.ReadAllText(Agreement.FixturePath(f)), File.ReadAllText(IntelPath(f))))
            .ToArray();
        reports.Count(r => r.Kind == DriftKind.Rounding).ShouldBe(10);
        reports.Max(r => r.MaxUlps).ShouldBe(251);
        reports.Where(r => r.Kind == DriftKind.Rounding).ShouldAllBe(r => r.Describe().Contains("ulp"));
    }

    [Fact]
    public void A_Value_Moved_Past_The_Files_Tolerance_Is_Drift_Named_By_Path_And_Bound()
    {
        string committed = File.ReadAllText(Agreement.FixturePath("worked-example.json"));
        JsonNode moved = JsonNode.Parse(File.ReadAllText(IntelPath("worked-example.json")))!;
        // float32's default allows 1e-5 + 1.3e-6·0.9253 ≈ 1.12e-5 at this gradient: 2e-5 is past it.
        double value = moved["expected"]![0]!["layers"]![2]!["gradWeight"]![0]![1]!.GetValue<double>();
        moved["expected"]![0]!["layers"]![2]!["gradWeight"]![0]![1] = (float)(value + 2e-5);

        FixtureDriftReport report = FixtureDrift.Compare(committed, Reindent(moved));

        report.Kind.ShouldBe(DriftKind.Drifted);
        report.Describe().ShouldStartWith("expected[0].layers[2].gradWeight[0][1]: committed -0.9252939, regenerated -0.9252739");
        report.Describe().ShouldContain("past the file's tolerance (rtol 1.3E-06, atol 1E-05, allowed 1.12E-05) by");
    }

    [Fact]
    public void A_Value_Moved_Within_The_Tolerance_Is_Rounding_With_Its_Ulps()
    {
        string committed = File.ReadAllText(Agreement.FixturePath("worked-example.json"));
        JsonNode moved = JsonNode.Parse(committed)!;
        float value = moved["expected"]![0]!["cost"]!.GetValue<float>();
        moved["expected"]![0]!["cost"] = MathF.BitIncrement(MathF.BitIncrement(MathF.BitIncrement(value)));

        FixtureDriftReport report = FixtureDrift.Compare(committed, Reindent(moved));

        report.Kind.ShouldBe(DriftKind.Rounding);
        (report.Differing, report.MaxUlps, report.MaxUlpsPath).ShouldBe((1, 3L, "expected[0].cost"));
    }

    [Fact]
    public void An_Input_That_Differs_In_One_Ulp_Is_Drift_Because_Only_Expectations_May_Round()
    {
        string committed = File.ReadAllText(Agreement.FixturePath("worked-example.json"));
        JsonNode moved = JsonNode.Parse(committed)!;
        moved["parameters"]![0]!["bias"]![2] = MathF.BitIncrement(0.3f);

        FixtureDriftReport report = FixtureDrift.Compare(committed, Reindent(moved));

        report.Kind.ShouldBe(DriftKind.Drifted);
        report.Describe().ShouldStartWith("parameters: differs, and only expected numbers may differ by rounding");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void A_Finite_Value_Turned_Non_Finite_Is_Drift(string nonFinite)
    {
        string committed = File.ReadAllText(Agreement.FixturePath("worked-example.json"));
        JsonNode moved = JsonNode.Parse(committed)!;
        moved["expected"]![0]!["layers"]![0]!["z"]![0]![0] = nonFinite;

        FixtureDrift.Compare(committed, Reindent(moved)).Describe()
            .ShouldBe($"expected[0].layers[0].z[0][0]: committed 4, regenerated \"{nonFinite}\"");
    }

    [Fact]
    public void A_Missing_Step_Is_Drift()
    {
        string committed = File.ReadAllText(Agreement.FixturePath("seed-001-sigmoid-half-sum-of-squares.json"));
        JsonNode moved = JsonNode.Parse(committed)!;
        moved["expected"]!.AsArray().RemoveAt(1);

        // A file with one step too few is no longer a valid fixture, so it is compared as JsonNode writes it.
        FixtureDrift.Compare(JsonNode.Parse(committed)!.ToJsonString(), moved.ToJsonString()).Describe().ShouldBe("expected: committed has 2 elements, regenerated 1");
    }

    [Fact]
    public void The_Same_Text_Is_Identical_And_Counts_Every_Expected_Number()
    {
        string committed = File.ReadAllText(Agreement.FixturePath("worked-example.json"));
        FixtureDriftReport report = FixtureDrift.Compare(committed, committed);
        (report.Kind, report.Numbers).ShouldBe((DriftKind.Identical, 89));
    }

    [Theory]
    [InlineData(1.0, 1.0, 0L)]
    [InlineData(0.0, -0.0, 0L)]
    [InlineData(1.0, 1.0000001192092896, 1L)] // the next float32 after 1
    [InlineData(-1.401298464324817e-45, 1.401298464324817e-45, 2L)] // the smallest subnormals, either side of 0
    public void Ulps_Count_Float32_Steps_Across_Zero(double a, double b, long ulps)
        => FixtureDrift.Ulps(a, b, DType.Float32).ShouldBe(ulps);

    [Fact]
    public void Ulps_Count_Float64_Steps()
        => FixtureDrift.Ulps(1.0, Math.BitIncrement(Math.BitIncrement(1.0)), DType.Float64).ShouldBe(2);

    // The writer's layout is not what JsonNode writes; the drift check compares numbers under
    // expected, so any layout of the same numbers will do, but everything else must be the same text.
    private static string Reindent(JsonNode fixture) => FixtureWriter.Write(FixtureReader.Parse(fixture.ToJsonString()));
}
