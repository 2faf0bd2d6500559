using System.Text.Json.Nodes;
using Backprop.Cli;
using Backprop.Testing;

namespace Backprop.Oracle.Tests;

/// <summary><c>backprop train</c>: its outputs, and a clear error with nothing written for every bad input.</summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public sealed class TrainCommandTests : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("backprop-train-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    private static string DataDirectory => Path.Combine(Agreement.RepositoryRoot(), "fixtures", "data");

    [Fact]
    public void Json_Prints_The_Summary_Fields()
    {
        (int exit, string output, string error) = Run("train", "--dataset", "breast-cancer", "--epochs", "2", "--json");
        exit.ShouldBe(0, error);
        JsonNode summary = JsonNode.Parse(output)!;
        summary["dataset"]!.GetValue<string>().ShouldBe("breast-cancer");
        summary["dtype"]!.GetValue<string>().ShouldBe("float32");
        summary["epochs"]!.GetValue<int>().ShouldBe(2);
        summary["steps"]!.GetValue<int>().ShouldBe(2 * 15); // 455 training samples in batches of 32
        summary["coreTestAccuracy"]!.GetValue<double>().ShouldBeInRange(0, 1);
        summary["torchTestAccuracy"]!.GetValue<double>().ShouldBeInRange(0, 1);
        summary["maxRelativeDivergence"]!.GetValue<double>().ShouldBeInRange(0, 1e-4);
    }

    [Fact]
    public void The_Report_Shows_Both_Accuracies_And_The_Divergence_Per_Epoch()
    {
        (int exit, string output, string error) = Run("train", "--dataset", "digits", "--epochs", "2", "--dtype", "float64", "--layers", "16");
        exit.ShouldBe(0, error);
        output.ShouldContain("digits: 64-16-10, relu, sgd, batch 32, float64, seed 1");
        output.ShouldContain("train accuracy: core");
        output.ShouldContain("test accuracy:  core");
        output.ShouldContain("max relative parameter divergence");
        output.ShouldContain("| 2 ");
    }

    [Fact]
    public void Out_Writes_The_Trajectory_Of_Both_Dtypes_And_Two_Plots()
    {
        string dir = Path.Combine(temp, "run");
        (int exit, _, string error) = Run("train", "--dataset", "breast-cancer", "--epochs", "1", "--out", dir, "--json");
        exit.ShouldBe(0, error);
        Directory.GetFiles(dir).Select(Path.GetFileName).Order().ShouldBe(["divergence.png", "loss.png", "trajectory.csv"]);
        string[] lines = File.ReadAllLines(Path.Combine(dir, "trajectory.csv"));
        lines[0].ShouldBe("dtype,step,epoch,core_loss,torch_loss,max_relative_divergence");
        lines.Count(l => l.StartsWith("float32,", StringComparison.Ordinal)).ShouldBe(15);
        lines.Count(l => l.StartsWith("float64,", StringComparison.Ordinal)).ShouldBe(15);
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G'];
        File.ReadAllBytes(Path.Combine(dir, "loss.png"))[..4].ShouldBe(png);
        File.ReadAllBytes(Path.Combine(dir, "divergence.png"))[..4].ShouldBe(png);
    }

    [Theory]
    [InlineData("--dataset", "iris", "unknown dataset \"iris\"; known: breast-cancer, digits")]
    [InlineData("--epochs", "0", "--epochs must be at least 1, got 0")]
    [InlineData("--epochs", "x", "--epochs: \"x\" is not a whole number")]
    [InlineData("--batch", "0", "--batch must be at least 1, got 0")]
    [InlineData("--batch", "456", "--batch 456 is larger than the training set (455 of breast-cancer's 569 samples)")]
    [InlineData("--layers", "16,x", "--layers: \"x\" is not a positive width")]
    [InlineData("--layers", "16,0", "--layers: \"0\" is not a positive width")]
    [InlineData("--activation", "swish", "--activation: unknown \"swish\"")]
    [InlineData("--optimizer", "rmsprop", "--optimizer: unknown \"rmsprop\"")]
    [InlineData("--lr", "-1", "Invalid learning rate: -1")]
    [InlineData("--lr", "1e39", "--optimizer sgd --lr 1E+39 --momentum 0.9 --dtype float32: lr is 1E+39, which does not fit float32 (largest finite value 3.4028235E+38)")]
    [InlineData("--lr", "1e308", "lr is 1E+308, which does not fit float32")]
    [InlineData("--weight-decay", "1e39", "weight_decay is 1E+39, which does not fit float32")]
    [InlineData("--layers", "40000,40000", "--layers: a hidden layer of 40000 units is wider than the limit of 4096")]
    [InlineData("--layers", "4096,4096", "--layers: the network 30-4096-4096-1 has 16904192 weights, more than the limit of 4194304")]
    [InlineData("--layers", "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", "--layers: 17 hidden layers are more than the limit of 16")]
    [InlineData("--epochs", "2147483647", "--epochs 2147483647 with --batch 32 on 455 training samples is 32212254705 steps, more than the limit of 1000000")]
    public void A_Bad_Option_Exits_2_With_A_Message_And_Writes_Nothing(string option, string value, string message)
    {
        string dir = Path.Combine(temp, "never");
        var options = new Dictionary<string, string> { ["--dataset"] = "breast-cancer", ["--epochs"] = "1", ["--out"] = dir, [option] = value };
        (int exit, string output, string error) = Run(["train", .. options.SelectMany(o => new[] { o.Key, o.Value })]);
        exit.ShouldBe(2, output);
        error.ShouldContain(message);
        Directory.Exists(dir).ShouldBeFalse();
    }

    [Fact]
    public void A_Missing_Data_File_Exits_2_Naming_It()
    {
        (int exit, _, string error) = Run("train", "--dataset", "digits", "--data", temp);
        exit.ShouldBe(2);
        error.ShouldContain(Path.Combine(temp, "digits.csv.gz"));
        error.ShouldContain("missing");
    }

    [Theory]
    [InlineData("a changed byte")]
    [InlineData("a ragged row")]
    public void A_Corrupt_Data_File_Exits_2_With_Its_Checksum(string damage)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(DataDirectory, "breast_cancer.csv"));
        if (damage == "a changed byte")
        {
            bytes[100] = (byte)'x';
        }
        else
        {
            bytes = [.. bytes, .. "1,2,3\n"u8.ToArray()];
        }

        File.WriteAllBytes(Path.Combine(temp, "breast_cancer.csv"), bytes);
        string dir = Path.Combine(temp, "never");
        (int exit, _, string error) = Run("train", "--dataset", "breast-cancer", "--data", temp, "--out", dir);
        exit.ShouldBe(2);
        error.ShouldContain("is not the expected fed3eb72");
        Directory.Exists(dir).ShouldBeFalse();
    }

    [Fact]
    public void An_Unwritable_Out_Exits_2_Before_Training()
    {
        string file = Path.Combine(temp, "a-file");
        File.WriteAllText(file, "");
        (int exit, string output, string error) = Run("train", "--dataset", "breast-cancer", "--out", Path.Combine(file, "run"));
        exit.ShouldBe(2);
        error.ShouldContain("--out: cannot write to");
        output.ShouldBeEmpty();
    }

    [Fact]
    public void A_Failed_Write_Leaves_No_File_And_Removes_The_Folder_It_Made()
    {
        string dir = Path.Combine(temp, "half");
        OutputFolder.TryOpen(dir, out OutputFolder? folder, out _).ShouldBeTrue();
        bool written = folder!.TryWrite(
            [
                ("first.csv", path => File.WriteAllText(path, "complete")),
                ("second.png", _ => throw new IOException("disk full")),
            ],
            out string? failure);
        written.ShouldBeFalse();
        failure.ShouldBe("disk full");
        Directory.Exists(dir).ShouldBeFalse();
    }

    [Fact]
    public void A_Failed_Write_Into_An_Existing_Folder_Keeps_Its_Old_Files_Unchanged()
    {
        string dir = Path.Combine(temp, "existing");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "first.csv"), "old");
        OutputFolder.TryOpen(dir, out OutputFolder? folder, out _).ShouldBeTrue();
        folder!.TryWrite(
            [
                ("first.csv", path => File.WriteAllText(path, "new")),
                ("second.png", _ => throw new IOException("disk full")),
            ],
            out _).ShouldBeFalse();
        Directory.GetFiles(dir).Select(Path.GetFileName).ShouldBe(["first.csv"]);
        File.ReadAllText(Path.Combine(dir, "first.csv")).ShouldBe("old");
    }
}
