using System.IO.Compression;
using System.Security.Cryptography;
using Backprop.Testing;

namespace Backprop.Oracle.Tests.Data;

/// <summary>The shipped data sets are exactly the files fixtures/data/README.md describes.</summary>
public class DataFilesTests
{
    private static string DataFile(string name) => Path.Combine(Agreement.RepositoryRoot(), "fixtures", "data", name);

    [Theory]
    [InlineData("breast_cancer.csv", "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed")]
    [InlineData("digits.csv.gz", "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a")]
    public void Data_Files_Have_The_Checksums_The_Readme_States(string file, string sha256)
    {
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(DataFile(file)))).ShouldBe(sha256);
        File.ReadAllText(DataFile("README.md")).ShouldContain(sha256);
    }

    [Fact]
    public void Data_Files_Hold_The_Sample_Counts_The_Readme_States()
    {
        string[] breast = File.ReadAllLines(DataFile("breast_cancer.csv"));
        breast[0].ShouldStartWith("569,30,");
        breast.Length.ShouldBe(570);
        breast.Skip(1).ShouldAllBe(line => line.Split(',').Length == 31);

        using var gzip = new GZipStream(File.OpenRead(DataFile("digits.csv.gz")), CompressionMode.Decompress);
        string[] digits = new StreamReader(gzip).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        digits.Length.ShouldBe(1797);
        digits.ShouldAllBe(line => line.Split(',').Length == 65);
    }
}
