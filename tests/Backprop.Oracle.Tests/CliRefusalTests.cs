using Backprop.Testing;

namespace Backprop.Oracle.Tests;

/// <summary>
/// The command line's refusals word for word: each on stderr with exit 2, naming the option, the
/// value and the limit, with nothing half-done left behind and nothing printed as if it had worked.
/// </summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public sealed class CliRefusalTests : IDisposable
{
    private readonly string temp = Directory.CreateTempSubdirectory("backprop-refusal-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    private static void Refused((int Exit, string Out, string Err) run, string message)
    {
        run.Exit.ShouldBe(2, run.Err);
        run.Err.ShouldContain(message);
        run.Out.ShouldBeEmpty();
        run.Err.ShouldNotContain("System.");
    }

    [Fact]
    public void An_Unknown_Option_Of_Check_Is_A_Usage_Error_With_No_Report()
        => Refused(Cli.Run("check", "--bogus", Agreement.FixturePath("worked-example.json")), "unknown option --bogus; check takes --json, --tolerance and --results");

    [Fact]
    public void A_Folder_Given_To_Check_Is_Called_A_Folder()
        => Refused(Cli.Run("check", Path.Combine(Agreement.RepositoryRoot(), "fixtures")), "it is a folder, not a file");

    [Theory]
    [InlineData("verify", "--networks", "abc", "--networks: \"abc\" is not a whole number")]
    [InlineData("train", "--lr", "1,5", "--lr: \"1,5\" is not a number (write it like 0.001 or 1e-3, with a point, never a comma)")]
    [InlineData("train", "--momentum", "0,9", "--momentum: \"0,9\" is not a number")]
    [InlineData("train", "--dtype", "float16", "--dtype: \"float16\" is not one of float32, float64")]
    [InlineData("bench", "--dtype", "all", "--dtype: \"all\" is not one of float32, float64, both")]
    public void A_Value_That_Does_Not_Parse_Is_Named_Without_Dotnet_Types(string command, string option, string value, string message)
    {
        string[] args = command == "train" ? ["train", "-d", "breast-cancer", option, value] : [command, option, value];
        Refused(Cli.Run(args), message);
    }

    [Fact]
    public void An_Option_Without_Its_Value_Says_So()
        => Refused(Cli.Run("verify", "--networks"), "--networks: a value is required");

    [Fact]
    public void Training_Options_Refuse_A_Null_Setting_By_Name()
    {
        Should.Throw<ArgumentNullException>(() => new Backprop.Cli.TrainingOptions { Optimizer = null! }).ParamName.ShouldBe("Optimizer");
        Should.Throw<ArgumentNullException>(() => new Backprop.Cli.TrainingOptions { Activation = null! }).ParamName.ShouldBe("Activation");
        Should.Throw<ArgumentNullException>(() => new Backprop.Cli.TrainingOptions { Hidden = null! }).ParamName.ShouldBe("Hidden");
    }

    [Fact]
    public void Verify_Refuses_An_Option_Only_Exec_Reads()
        => Refused(Cli.Run("verify", "--networks", "1", "--activations", "relu"), "--activations applies only with --exec");

    [Fact]
    public void Verify_Exec_Refuses_An_Empty_Command()
        => Refused(Cli.Run("verify", "--exec", " "), "--exec: give the command to run");

    [Fact]
    public void Fixtures_Generate_Refuses_An_Empty_Out_And_A_Folder_In_A_Files_Place_Writing_Nothing()
    {
        Refused(Cli.Run("fixtures", "generate", "--out", ""), "--out: \"\" names no folder");
        Directory.CreateDirectory(Path.Combine(temp, "worked-example.json"));
        Refused(Cli.Run("fixtures", "generate", "--out", temp), "worked-example.json is a folder, where fixtures generate writes the file of that name; nothing was written");
        Directory.EnumerateFileSystemEntries(temp).Select(Path.GetFileName).ShouldBe(["worked-example.json"]);
    }

    [Fact]
    public void Fixtures_Check_Refuses_A_Missing_Folder()
        => Refused(Cli.Run("fixtures", "check", "--dir", "/nonexistent"), "--dir: \"/nonexistent\" is not a folder");

    [Fact]
    public void Train_Refuses_A_Data_File_That_Is_Not_A_Regular_File_At_Once()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        File.CreateSymbolicLink(Path.Combine(temp, "breast_cancer.csv"), "/dev/zero");
        Refused(Cli.Run("train", "-d", "breast-cancer", "--data", temp), "breast_cancer.csv: it is empty, or not a regular file");
    }

    [Fact]
    public void Check_Json_Also_Puts_A_Refusal_On_Stderr()
    {
        (int exit, string stdout, string stderr) = Cli.Run("check", "--json", Path.Combine(temp, "missing.json"));
        exit.ShouldBe(2);
        stdout.ShouldContain("\"result\": \"invalid\"");
        stderr.ShouldContain("missing.json: cannot read");
    }
}
