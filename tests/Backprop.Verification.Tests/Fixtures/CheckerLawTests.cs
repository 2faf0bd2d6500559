using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Testing;

namespace Backprop.Verification.Tests.Fixtures;

/// <summary>
/// Laws of reading and checking that single-line bugs broke without a test noticing: each step's
/// expectations are sized by that step's own batch; every float32 literal reaches the core as the
/// float32 nearest it, not as a double; a changed updated parameter of the last step fails; and
/// what the core refuses while checking names the JSON path that caused it.
/// </summary>
public class CheckerLawTests
{
    private static readonly NetworkSpec Spec = new(3, [new LayerSpec(4, Tanh.Instance), new LayerSpec(2, Sigmoid.Instance)], new BinaryCrossEntropy());

    /// <summary>A case whose batches hold 2 samples, then 1, as a final partial batch does; expectations from the core itself.</summary>
    private static Fixture UnequalBatches(Layout layout)
    {
        var random = new Random(11);
        Matrix<double> Values(int rows, int cols, bool probabilities = false)
            => new(rows, cols, Enumerable.Range(0, rows * cols).Select(_ => probabilities ? random.NextDouble() : (random.NextDouble() * 2) - 1).ToArray());
        TrainingCase c = new TrainingCase(
            Spec,
            Initialization.PyTorchDefault(Spec, random),
            [new Batch<double>(Values(2, 3), Values(2, 2, true), TargetKind.Values), new Batch<double>(Values(1, 3), Values(1, 2, true), TargetKind.Values)],
            new Sgd(0.1, Momentum: 0.9),
            Steps: 3).InLayout(layout);
        IReadOnlyList<StepRecord<double>> records = Trainer.Run(c, DType.Float64);
        return new Fixture("unequal-batches", DType.Float64, c, records.Select(StepExpectation.From).ToArray());
    }

    public static TheoryData<int> Layouts => new(Enumerable.Range(0, Layout.All.Count));

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Batches_Of_Unequal_Size_Are_Read_And_Checked_Step_By_Step(int which)
    {
        Layout layout = Layout.All[which];
        Fixture written = UnequalBatches(layout);
        string text = FixtureWriter.Write(written);
        Fixture read = FixtureReader.Parse(text);

        // Step 2 ran on the 1-sample batch: its per-sample matrices hold one sample.
        read.Case.Batches.Select(b => layout.SampleCount(b.X)).ShouldBe([2, 1]);
        read.Expected.Select(e => layout.SampleCount(e.Layers![0].Z!)).ShouldBe([2, 1, 2]);
        FixtureCheck check = FixtureChecker.CheckText(text);
        check.ExitCode.ShouldBe(FixtureCheck.Passed, check.Error ?? string.Join("; ", check.Quantities.Where(q => !q.Passed).Select(q => q.Describe())));
        check.Quantities.Count(q => q.Name == "z").ShouldBe(3 * 2);

        // Step 2's z written for two samples is refused by its path.
        JsonNode broken = JsonNode.Parse(text)!;
        broken["expected"]![1]!["layers"]![0]!["z"] = broken["expected"]![0]!["layers"]![0]!["z"]!.DeepClone();
        FixtureChecker.CheckText(broken.ToJsonString()).Error.ShouldNotBeNull().ShouldStartWith("expected[1].layers[0].z: expected");
    }

    [Fact]
    public void Every_Float32_Literal_Reaches_The_Core_As_The_Float32_Nearest_It()
    {
        // 1.00000017881393432617187499 lies just below the midpoint between 1 + 2⁻²³ and 1 + 2⁻²²:
        // read as float32 it is 1 + 2⁻²³; read as a double first it is the midpoint exactly, which
        // then rounds to even, 1 + 2⁻²². 0.1 is simply not a float32.
        const string JustBelowMidpoint = "1.00000017881393432617187499", Tenth = "0.1";
        ((double)float.Parse(JustBelowMidpoint, CultureInfo.InvariantCulture)).ShouldNotBe((double)(float)double.Parse(JustBelowMidpoint, CultureInfo.InvariantCulture));
        JsonNode f = JsonNode.Parse(File.ReadAllText(Agreement.FixturePath("worked-example.json")))!;
        f["parameters"]![0]!["weight"]![0]![0] = "@weight@";
        f["batches"]![0]!["x"]![0]![0] = "@x@";
        string text = f.ToJsonString()
            .Replace("\"@weight@\"", JustBelowMidpoint, StringComparison.Ordinal)
            .Replace("\"@x@\"", Tenth, StringComparison.Ordinal);
        Fixture read = FixtureReader.Parse(text);

        double weight = read.Case.Parameters[0].Weight[0, 0], x = read.Case.Batches[0].X[0, 0];
        weight.ShouldBe((double)float.Parse(JustBelowMidpoint, CultureInfo.InvariantCulture));
        x.ShouldBe((double)0.1f);
        x.ShouldNotBe(0.1);

        // Every number of the case and of the expectations is a float32 value.
        IEnumerable<double> all = read.Case.Parameters.SelectMany(p => p.Weight.Data.Concat(p.Bias))
            .Concat(read.Case.Batches.SelectMany(b => b.X.Data.Concat(b.Y.Data)))
            .Concat(read.Expected.SelectMany(e => e.Layers!.SelectMany(l => l.Z!.Data.Concat(l.GradWeight!.Data)).Append(e.Cost)));
        all.ShouldAllBe(v => (double)(float)v == v || double.IsNaN(v));

        // And the float32 run on them is the run on those floats, bit for bit.
        StepRecord<double> fromFile = Trainer.Run(read.Case, DType.Float32)[0];
        var exact = read.Case with { Parameters = read.Case.Parameters.Select(p => p.Convert<float>().Convert<double>()).ToArray() };
        Trainer.Run(exact, DType.Float32)[0].Layers[0].Z.Data.ShouldBe(fromFile.Layers[0].Z.Data);
    }

    [Theory]
    [InlineData("worked-example.json")]
    [InlineData("sgd-dampening-three-steps.json")]
    [InlineData("gelu-tanh-elu-cross-entropy-adamw.json")]
    public void A_Changed_Updated_Parameter_After_The_Last_Step_Fails(string file)
    {
        JsonNode f = JsonNode.Parse(File.ReadAllText(Agreement.FixturePath(file)))!;
        JsonArray expected = f["expected"]!.AsArray();
        int last = expected.Count - 1, layers = expected[last]!["parameters"]!.AsArray().Count;
        JsonNode bias = expected[last]!["parameters"]![layers - 1]!["bias"]![0]!;
        double value = bias.GetValue<double>();
        expected[last]!["parameters"]![layers - 1]!["bias"]![0] = value + 1 + Math.Abs(value);

        FixtureCheck check = FixtureChecker.CheckText(f.ToJsonString());
        check.ExitCode.ShouldBe(FixtureCheck.Mismatch);
        check.Quantities.Single(q => !q.Passed).Quantity.ShouldBe($"step {last + 1} layer {layers} bias after update");
    }

    [Fact]
    public void What_The_Core_Refuses_While_Checking_Names_Its_Json_Path()
    {
        JsonNode f = JsonNode.Parse(File.ReadAllText(Agreement.FixturePath("worked-example.json")))!;

        // A BCE target outside [0, 1]: the batch's y.
        JsonNode target = f.DeepClone();
        target["batches"]![0]!["y"]![1]![0] = 2;
        FixtureChecker.CheckText(target.ToJsonString()).Error
            .ShouldBe("batches[0].y: the core refuses this batch: all elements of target should be between 0 and 1");

        // A ReLU output layer under BCE whose output passes 1: the step, and the batch it ran on.
        JsonNode output = f.DeepClone();
        output["network"]!["layers"]![2]!["activation"] = "relu";
        output["parameters"]![2]!["bias"]![0] = 5;
        FixtureCheck check = FixtureChecker.CheckText(output.ToJsonString());
        check.ExitCode.ShouldBe(FixtureCheck.Invalid);
        check.Error.ShouldBe("expected[0]: the core refuses step 1 (on batches[0]): all elements of input should be between 0 and 1");
    }

    [Fact]
    public void A_Lone_Surrogate_Anywhere_Ends_As_Exit_2_Never_As_An_Exception()
    {
        string original = File.ReadAllText(Agreement.FixturePath("worked-example.json"));
        FixtureChecker.CheckText(original.Replace("\"description\": \"", "\"description\": \"\\ud800", StringComparison.Ordinal)).Error
            .ShouldBe("description: a string holds an escaped lone surrogate (such as \\ud800 without its pair), which is no Unicode text");

        // A lone surrogate in the .NET string itself (not escaped) cannot be UTF-8 either.
        FixtureChecker.CheckText(original.Replace("\"description\": \"", "\"description\": \"\ud800", StringComparison.Ordinal)).Error
            .ShouldNotBeNull().ShouldStartWith("not valid text: a lone surrogate (U+D800)");
    }
}
