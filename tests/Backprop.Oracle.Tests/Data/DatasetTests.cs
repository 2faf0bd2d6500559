using Backprop.Core.Activations;
using Backprop.Cli;
using Backprop.Core.Losses;
using Backprop.Testing;

namespace Backprop.Oracle.Tests.Data;

/// <summary>Loading the shipped data sets, and refusing broken ones with the file, line and column.</summary>
public sealed class DatasetTests : IDisposable
{
    private static readonly string DataDirectory = Path.Combine(Agreement.RepositoryRoot(), "fixtures", "data");
    private readonly string temp = Directory.CreateTempSubdirectory("backprop-data-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    [Theory]
    [InlineData("breast-cancer", 569, 30, 2)]
    [InlineData("digits", 1797, 64, 10)]
    public void Shipped_Data_Sets_Load_With_Their_Sizes(string name, int samples, int features, int classes)
    {
        Dataset d = Dataset.Load(name, DataDirectory);
        d.Features.Shape.ShouldBe($"{samples}×{features}");
        d.Labels.Length.ShouldBe(samples);
        d.Labels.Distinct().Count().ShouldBe(classes);
    }

    [Fact]
    public void The_Split_Is_Seeded_And_Standardised_On_The_Training_Part()
    {
        Dataset d = Dataset.Load("breast-cancer", DataDirectory);
        (Dataset train, Dataset test) = d.Split(0.2, seed: 7);
        (Dataset again, _) = d.Split(0.2, seed: 7);
        train.Labels.ShouldBe(again.Labels);
        (train.Labels.Length + test.Labels.Length).ShouldBe(569);
        test.Labels.Length.ShouldBe(114);
        for (int j = 0; j < train.Features.Cols; j++)
        {
            double mean = Enumerable.Range(0, train.Features.Rows).Average(i => train.Features[i, j]);
            mean.ShouldBe(0, 1e-12);
        }
    }

    [Fact]
    public void An_Unknown_Name_Is_Refused_With_The_Known_Ones()
        => Should.Throw<ArgumentException>(() => Dataset.Load("mnist", DataDirectory)).Message.ShouldBe("unknown dataset \"mnist\"; known: breast-cancer, digits");

    [Fact]
    public void A_Missing_File_Is_Refused()
        => Should.Throw<InvalidDataException>(() => Dataset.Load("digits", temp)).Message.ShouldEndWith("missing; the data sets ship in fixtures/data (see its README)");

    [Fact]
    public void A_Changed_File_Fails_Its_Checksum()
    {
        File.WriteAllText(Path.Combine(temp, "breast_cancer.csv"), "569,30,malignant,benign\n1,2\n");
        Should.Throw<InvalidDataException>(() => Dataset.Load("breast-cancer", temp)).Message.ShouldContain("is not the expected");
    }

    [Theory]
    [InlineData("1,2,3,4\n", "x.csv:1: 4 cells, expected 3 (2 features and a label)")]
    [InlineData("1,2,0\n1,2\n", "x.csv:2: 2 cells, expected 3 (2 features and a label)")]
    [InlineData("1,abc,0\n", "x.csv:1: column 2 is \"abc\", not a finite number")]
    [InlineData("1,2,5\n", "x.csv:1: label \"5\" is not a class in [0, 2)")]
    [InlineData("1,2,0.5\n", "x.csv:1: label \"0.5\" is not a class in [0, 2)")]
    [InlineData("", "x.csv: no samples")]
    public void Malformed_Rows_Are_Refused_With_File_Line_And_Column(string text, string message)
    {
        Should.Throw<InvalidDataException>(() => Dataset.Parse("x", "x.csv", text, header: false, features: 2, classes: 2)).Message.ShouldBe(message);
    }

    [Fact]
    public void A_Split_That_Leaves_No_Training_Data_Is_Refused()
    {
        var tiny = new Dataset("tiny", new Matrix<double>(2, 1, [1, 2]), [0, 1], 2);
        Should.Throw<ArgumentOutOfRangeException>(() => tiny.Split(1.0, 1));
    }
    /// <summary>Ten samples whose label is their index, so each split sample says where it came from; feature 1 is constant.</summary>
    private static Dataset Indexed() => new("indexed", new Matrix<double>(10, 2, Enumerable.Range(0, 10).SelectMany(i => new double[] { i * i, 5 }).ToArray()), Enumerable.Range(0, 10).ToArray(), 10);

    [Fact]
    public void The_Split_Shuffles_And_Standardises_Both_Parts_With_The_Training_Parts_Mean_And_Deviation()
    {
        (Dataset train, Dataset test) = Indexed().Split(0.3, seed: 3);
        test.Labels.Length.ShouldBe(3);
        train.Labels.Concat(test.Labels).Order().ShouldBe(Enumerable.Range(0, 10));
        test.Labels.ShouldNotBe([0, 1, 2]);

        double mean = train.Labels.Average(i => (double)(i * i));
        double std = Math.Sqrt(train.Labels.Average(i => ((i * i) - mean) * ((i * i) - mean)));
        foreach (Dataset part in new[] { train, test })
        {
            for (int r = 0; r < part.Labels.Length; r++)
            {
                int i = part.Labels[r];
                part.Features[r, 0].ShouldBe(((i * i) - mean) / std, 1e-14);
                part.Features[r, 1].ShouldBe(0.0); // constant: centred, not divided by a zero deviation
            }
        }
    }

    [Fact]
    public void A_Header_Counts_As_Line_1_And_A_Label_Equal_To_The_Class_Count_Is_Refused()
    {
        Should.Throw<InvalidDataException>(() => Dataset.Parse("x", "x.csv", "a,b,label\n1,2,0\n1,2\n", header: true, features: 2, classes: 2))
            .Message.ShouldBe("x.csv:3: 2 cells, expected 3 (2 features and a label)");
        Should.Throw<InvalidDataException>(() => Dataset.Parse("x", "x.csv", "1,2,2\n", header: false, features: 2, classes: 2))
            .Message.ShouldBe("x.csv:1: label \"2\" is not a class in [0, 2)");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_Test_Fraction_Outside_0_1_Is_Refused(double fraction)
    {
        var e = Should.Throw<ArgumentOutOfRangeException>(() => Indexed().Split(fraction, 1));
        e.ParamName.ShouldBe("testFraction");
        e.Message.ShouldStartWith("the test fraction must lie strictly between 0 and 1");
    }

    [Fact]
    public void A_Split_Must_Leave_At_Least_One_Training_Sample()
    {
        // 10 × 0.95 rounds to 10 test samples: none left. 10 × 0.9 leaves one.
        Should.Throw<ArgumentException>(() => Indexed().Split(0.95, 1)).Message.ShouldBe("10 samples leave none for training with a test fraction of 0.95");
        Indexed().Split(0.9, 1).Train.Labels.Length.ShouldBe(1);
    }

    [Fact]
    public void A_Batch_Takes_The_Rows_In_Order_With_Labels_As_Targets_Or_Class_Indices()
    {
        Dataset d = Dataset.Load("digits", DataDirectory);
        Batch<double> b = d.Batch([5, 0, 5], TargetKind.ClassIndices);
        b.X.Shape.ShouldBe("3×64");
        b.X.Row(0).ToArray().ShouldBe(d.Features.Row(5).ToArray());
        b.X.Row(1).ToArray().ShouldBe(d.Features.Row(0).ToArray());
        b.Y.Data.ShouldBe([d.Labels[5], d.Labels[0], d.Labels[5]]);
        b.ClassIndices.ShouldBeTrue();
        Should.Throw<ArgumentException>(() => d.Batch([0], TargetKind.Values)).Message.ShouldBe("digits has 10 classes; a 0/1 target needs exactly 2");
    }

    [Fact]
    public void Initial_Weights_Are_Seeded_And_Within_PyTorchs_Bound()
    {
        var spec = new NetworkSpec(30, [new LayerSpec(16, Relu.Instance), new LayerSpec(1, Sigmoid.Instance)], new BinaryCrossEntropy());
        LayerParameters<double>[] p = Initialization.PyTorchDefault(spec, new Random(3));
        Initialization.PyTorchDefault(spec, new Random(3))[1].Weight.Data.ShouldBe(p[1].Weight.Data);
        p[0].Weight.Shape.ShouldBe("16×30");
        p[1].Bias.Length.ShouldBe(1);
        p[0].Weight.Data.Concat(p[0].Bias).All(v => Math.Abs(v) <= 1 / Math.Sqrt(30)).ShouldBeTrue();
        p[1].Weight.Data.Concat(p[1].Bias).All(v => Math.Abs(v) <= 1 / Math.Sqrt(16)).ShouldBeTrue();
        p[0].Weight.Data.Max().ShouldBeGreaterThan(0.9 / Math.Sqrt(30), "the values should fill the range");
    }
}
