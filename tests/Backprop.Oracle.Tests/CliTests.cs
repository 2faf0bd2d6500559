using System.Text.Json.Nodes;
using Backprop.Cli;
using Backprop.Verification;
using Backprop.Testing;

namespace Backprop.Oracle.Tests;

/// <summary>The command line as people use it: the walkthrough, and `check` with its exit codes 0 / 1 / 2.</summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public sealed class CliTests : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("backprop-cli-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    private string WriteVariant(string name, Action<JsonNode> change)
    {
        JsonNode fixture = JsonNode.Parse(File.ReadAllText(Agreement.FixturePath("worked-example.json")))!;
        change(fixture);
        string path = Path.Combine(temp, name);
        File.WriteAllText(path, fixture.ToJsonString());
        return path;
    }

    [Fact]
    public void Walkthrough_Prints_Every_Step_And_Exits_0_When_Libtorch_Agrees()
    {
        (int exit, string output, _) = Run();
        exit.ShouldBe(0, output);
        output.ShouldContain("\"Backpropagation in Neural Networks\" (2025)");
        output.ShouldContain("Given: the starting weights");
        output.ShouldContain("  W1\n     [[  -1,   2],\n      [   3, 0.5],\n      [-0.1,  -4]]".ReplaceLineEndings());
        output.ShouldContain("  b3\n      [0.1]".ReplaceLineEndings());
        output.ShouldContain("  Y (target)\n     [[0],\n      [1]]".ReplaceLineEndings());
        output.IndexOf("Given:").ShouldBeLessThan(output.IndexOf("Forward propagation"));
        output.ShouldContain("J = binary_cross_entropy(A3, Y)");
        output.ShouldContain("0.19522886");
        output.ShouldContain("∂J/∂Z2 = ∂J/∂A2 ⊙ relu'(Z2)");
        output.ShouldMatch(@"All 25 quantities agree with libtorch, \d+ of them exactly \(on this machine: .+\)\.");
        output.ShouldNotContain("DISAGREES");
    }

    [Fact]
    public void Walkthrough_Runs_In_Float64_Too()
    {
        (int exit, string output, _) = Run("--dtype", "float64");
        exit.ShouldBe(0, output);
        output.ShouldContain("0.19522886210143703");
    }

    [Fact]
    public void Jacobians_Prints_Seed_004s_Matrices_And_Agrees_With_The_Delta_Rule()
    {
        (int exit, string output, _) = Run("jacobians");
        exit.ShouldBe(0, output);
        output.ShouldContain("∂vec(A1)/∂vec(Z1)  (6×6)");
        output.ShouldContain("∂vec(Z1)/∂vec(W1)  (6×6)");
        output.ShouldContain("∂J/∂vec(A3)  (1×2)");
        output.ShouldNotContain("DIFFERS");
    }

    [Fact]
    public void Verify_Sweeps_Random_Networks_And_Exits_0_When_Every_Operation_Agrees()
    {
        (int exit, string output, _) = Run("verify", "--networks", "60", "--seed", "7");
        exit.ShouldBe(0, output);
        output.ShouldContain("60 networks (");
        output.ShouldContain("operation by operation");
        output.ShouldContain("Every operation agrees with libtorch.");
    }

    [Fact]
    public void Verify_Refuses_Zero_Networks_With_Exit_2()
        => Run("verify", "--networks", "0").Exit.ShouldBe(2);

    [Fact]
    public void Check_Passes_The_Committed_Fixtures_With_Exit_0()
    {
        (int exit, string output, string error) = Run("check", Agreement.FixturePath("worked-example.json"), Agreement.FixturePath("worked-example-f64.json"));
        exit.ShouldBe(0, output + error);
        output.ShouldContain("worked-example.json: pass (25 quantities)");
    }

    [Fact]
    public void Check_Exits_1_And_Names_The_Quantity_When_An_Expectation_Is_Off()
    {
        string path = WriteVariant("off.json", f => f["expected"]![0]!["layers"]![2]!["gradWeight"]![0]![1] = -0.93);
        (int exit, string output, _) = Run("check", path);
        exit.ShouldBe(1, output);
        output.ShouldContain("step 1 layer 3 gradWeight: 1 of 2 mismatched");
        output.ShouldContain("worst at [0, 1]: expected -0.93, actual -0.9252939");
        output.ShouldContain("1 of 25 quantities mismatched");
    }

    [Fact]
    public void Check_Exits_2_With_File_And_Json_Path_When_The_Contract_Is_Broken()
    {
        string path = WriteVariant("transposed.json", f => f["parameters"]![1]!["weight"] = JsonNode.Parse("[[0.5, 0.7], [1, 0.1], [-2, 0.3]]"));
        (int exit, _, string error) = Run("check", path);
        exit.ShouldBe(2);
        error.ShouldBe($"{path}: parameters[1].weight: expected 2×3, got 3×2{Environment.NewLine}");
    }

    [Fact]
    public void Check_Exits_2_For_A_Missing_File_Even_When_Another_File_Mismatches()
    {
        string off = WriteVariant("off.json", f => f["expected"]![0]!["cost"] = 0.2);
        (int exit, _, string error) = Run("check", off, Path.Combine(temp, "absent.json"));
        exit.ShouldBe(2);
        error.ShouldContain("absent.json: cannot read");
    }

    [Fact]
    public void Check_Exits_2_When_The_Core_Refuses_The_Case_As_Libtorch_Would()
    {
        string path = WriteVariant("bad-target.json", f => f["batches"]![0]!["y"]![1]![0] = 2);
        (int exit, _, string error) = Run("check", path);
        exit.ShouldBe(2);
        error.ShouldContain("all elements of target should be between 0 and 1");
    }

    [Fact]
    public void Fixtures_Check_Reports_No_Drift()
    {
        (int exit, string output, _) = Run("fixtures", "check");
        exit.ShouldBe(0, output);
        output.ShouldMatch(@"(same|rounding) +worked-example\.json: ");
        output.ShouldContain(", 0 drifted.");
    }

    [Fact]
    public void Fixtures_Check_Calls_The_Intel_Regenerations_Rounding_Or_Same_Never_Drift()
    {
        // On the AMD EPYC that generated fixtures/, 10 of these 12 are rounding; on an Intel Xeon, all are
        // the same. The folder holds the 12 fixtures committed when they were made; later ones are missing.
        string intel = Path.Combine(Agreement.RepositoryRoot(), "tests", "data", "cross-cpu", "intel-xeon");
        (int exit, string output, string error) = Run("fixtures", "check", "--dir", intel);
        string[] lines = output.Split('\n').Where(l => l.Contains(".json: ")).ToArray();
        string[] present = lines.Where(l => !l.StartsWith("missing ")).ToArray();
        present.Length.ShouldBe(12, output);
        present.ShouldAllBe(l => l.StartsWith("same ") || (l.StartsWith("rounding ") && l.Contains(" ulp")));
        lines.Except(present).ShouldAllBe(l => l.EndsWith(": declared, but not in the folder"));
        exit.ShouldBe(lines.Length == 12 ? 0 : 1, output + error);
    }

    [Fact]
    public void Fixtures_Check_Exits_1_When_A_Declared_Fixture_Is_Missing()
    {
        string dir = Path.Combine(temp, "incomplete");
        Directory.CreateDirectory(dir);
        File.Copy(Agreement.FixturePath("worked-example.json"), Path.Combine(dir, "worked-example.json"));
        (int exit, string output, _) = Run("fixtures", "check", "--dir", dir);
        exit.ShouldBe(1, output);
        output.ShouldMatch(@"(same|rounding) +worked-example\.json: ");
        output.ShouldContain("missing   relu-exact-kinks.json: declared, but not in the folder");
        output.ShouldContain($", {FixtureCatalog.All.Count - 1} missing.");
    }

    [Fact]
    public void Fixtures_Check_Exits_1_And_Names_The_Value_When_A_File_Drifted()
    {
        string dir = Path.Combine(temp, "drifted");
        Directory.CreateDirectory(dir);
        foreach (FixtureDeclaration d in FixtureCatalog.All)
        {
            File.Copy(Agreement.FixturePath(d.FileName), Path.Combine(dir, d.FileName));
        }

        string path = Path.Combine(dir, "worked-example.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"cost\": 0.19522886,", "\"cost\": 0.19532886,"));
        (int exit, string output, _) = Run("fixtures", "check", "--dir", dir);
        exit.ShouldBe(1, output);
        output.ShouldContain("DRIFT     worked-example.json: expected[0].cost: committed 0.19532886, regenerated 0.19522886: |Δ| 0.0001 is past the file's tolerance");
        output.ShouldContain(", 1 drifted.");
    }

    [Fact]
    public void Fixtures_Check_Exits_2_For_A_Folder_That_Does_Not_Exist()
    {
        (int exit, _, string error) = Run("fixtures", "check", "--dir", Path.Combine(temp, "absent"));
        exit.ShouldBe(2);
        error.ShouldContain("is not a folder");
    }

    [Fact]
    public void Fixtures_Generate_Twice_Writes_The_Same_Bytes_Within_Rounding_Of_The_Committed_Files()
    {
        string first = Path.Combine(temp, "first"), second = Path.Combine(temp, "second");
        Run("fixtures", "generate", "--out", first).Exit.ShouldBe(0);
        Run("fixtures", "generate", "--out", second).Exit.ShouldBe(0);
        foreach (FixtureDeclaration d in FixtureCatalog.All)
        {
            string written = File.ReadAllText(Path.Combine(first, d.FileName));
            File.ReadAllText(Path.Combine(second, d.FileName)).ShouldBe(written, d.FileName);
            FixtureDrift.Compare(File.ReadAllText(Agreement.FixturePath(d.FileName)), written).Kind.ShouldNotBe(DriftKind.Drifted, d.FileName);
        }
    }

    [Fact]
    public void Check_Json_Lists_Every_Quantity_With_Its_Step_And_Layer()
    {
        (int exit, string output, _) = Run("check", "--json", Agreement.FixturePath("worked-example.json"));
        exit.ShouldBe(0);
        JsonNode result = JsonNode.Parse(output)![0]!;
        result["result"]!.GetValue<string>().ShouldBe("pass");
        result["quantities"]!.AsArray().Count.ShouldBe(25);
        result["quantities"]![0]!["quantity"]!.GetValue<string>().ShouldBe("z");
        result["quantities"]![0]!["layer"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public void Check_Tolerance_Overrides_The_Files_Own()
    {
        // 1e-4 off in one gradient: a mismatch under float32's defaults, a pass under atol 1e-3.
        string path = WriteVariant("near.json", f => f["expected"]![0]!["layers"]![2]!["gradWeight"]![0]![1] = -0.9254);
        Run("check", path).Exit.ShouldBe(1);
        Run("check", "--tolerance", "0,1e-3", path).Exit.ShouldBe(0);
    }

    [Theory]
    [InlineData("1e-5")]
    [InlineData("-1,0")]
    [InlineData("a,b")]
    public void Check_With_A_Bad_Tolerance_Exits_2(string tolerance)
    {
        (int exit, _, string error) = Run("check", "--tolerance", tolerance, Agreement.FixturePath("worked-example.json"));
        exit.ShouldBe(2);
        error.ShouldStartWith("--tolerance: expected rtol,atol");
    }

    private string WriteResults(string fixture, Func<StepRecord<double>, StepRecord<double>> change)
    {
        Fixture f = FixtureReader.ReadFile(Agreement.FixturePath(fixture));
        string path = Path.Combine(temp, $"{f.Name}-results.json");
        File.WriteAllText(path, ResultsWriter.Write(Results.From(f.Name, Trainer.Run(f.Case, f.DType).Select(change)), f.DType));
        return path;
    }

    [Fact]
    public void Check_Results_Exits_0_When_Someones_Results_Agree()
    {
        (int exit, string output, string error) = Run("check", Agreement.FixturePath("worked-example.json"), "--results", WriteResults("worked-example.json", s => s));
        exit.ShouldBe(0, output + error);
        output.ShouldContain("pass (25 quantities agree)");
    }

    [Fact]
    public void Check_Results_Exits_1_And_Names_The_First_Disagreement_And_Its_Likely_Cause()
    {
        string results = WriteResults("mse-mean-three-outputs.json", s => s with { Cost = 3 * s.Cost });
        (int exit, string output, _) = Run("check", Agreement.FixturePath("mse-mean-three-outputs.json"), "--results", results);
        exit.ShouldBe(1, output);
        output.ShouldContain("FAIL  <- first disagreement");
        output.ShouldContain("first disagreement: step 1 cost");
        output.ShouldContain("likely cause: a mean over the samples only (divide by n)");

        (int jsonExit, string json, _) = Run("check", "--json", Agreement.FixturePath("mse-mean-three-outputs.json"), "--results", results);
        jsonExit.ShouldBe(1);
        JsonNode report = JsonNode.Parse(json)![0]!;
        report["firstDisagreement"]!.GetValue<string>().ShouldBe("step 1 cost");
        report["likelyCauses"]![0]!["cause"]!.GetValue<string>().ShouldStartWith("a mean over the samples only");
    }

    [Fact]
    public void Check_Results_Exits_2_For_Broken_Results_Or_More_Than_One_Fixture()
    {
        string broken = Path.Combine(temp, "broken.json");
        File.WriteAllText(broken, "{\"format\": \"backprop-results/1\", \"name\": \"worked-example\", \"steps\": [{\"layers\": []}]}");
        (int exit, _, string error) = Run("check", Agreement.FixturePath("worked-example.json"), "--results", broken);
        exit.ShouldBe(2);
        error.ShouldBe($"{broken}: steps[0].cost: required field is missing{Environment.NewLine}");

        (int two, _, string twoError) = Run("check", Agreement.FixturePath("worked-example.json"), Agreement.FixturePath("worked-example-f64.json"), "--results", broken);
        two.ShouldBe(2);
        twoError.ShouldStartWith("--results: give exactly one fixture");
    }
}
