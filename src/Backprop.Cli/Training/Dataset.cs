using Backprop.Core;
using Backprop.Verification;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Backprop.Cli;

/// <summary>A labelled data set: one sample per row of <see cref="Features"/>, its class in <see cref="Labels"/>. Thread-safe to read: nothing changes it after loading.</summary>
public sealed record Dataset(string Name, Matrix<double> Features, int[] Labels, int Classes)
{
    /// <summary>The data sets shipped in fixtures/data, with their file names and checksums.</summary>
    public static IReadOnlyDictionary<string, (string File, string Sha256)> Known { get; } = new Dictionary<string, (string, string)>
    {
        ["breast-cancer"] = ("breast_cancer.csv", "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed"),
        ["digits"] = ("digits.csv.gz", "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a"),
    };

    /// <summary>A data file larger than this is refused before it is read (the shipped ones are well under 1 MB).</summary>
    public const long MaxFileBytes = 16L << 20;

    /// <summary>
    /// Loads a shipped data set from <paramref name="directory"/> (fixtures/data), checking its
    /// checksum first. Throws <see cref="InvalidDataException"/> naming the file, line and column for
    /// anything wrong, and <see cref="ArgumentException"/> for an unknown name.
    /// </summary>
    public static Dataset Load(string name, string directory)
    {
        if (!Known.TryGetValue(name, out var known))
        {
            throw new ArgumentException($"unknown dataset \"{name}\"; known: {string.Join(", ", Known.Keys)}");
        }

        string path = Path.Combine(directory, known.File);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new InvalidDataException($"{path}: missing; the data sets ship in fixtures/data (see its README)");
        }

        // Only a regular file, and never more than the limit: a FIFO or /dev/zero in its place is refused before reading.
        byte[] bytes = BoundedFile.Read(path, MaxFileBytes, "data files");
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha != known.Sha256)
        {
            throw new InvalidDataException($"{path}: checksum {sha} is not the expected {known.Sha256}; the file is corrupt or was changed");
        }

        string text = path.EndsWith(".gz", StringComparison.Ordinal)
            ? new StreamReader(new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress)).ReadToEnd()
            : System.Text.Encoding.UTF8.GetString(bytes);
        return name == "digits" ? Parse(name, path, text, header: false, features: 64, classes: 10) : Parse(name, path, text, header: true, features: 30, classes: 2);
    }

    /// <summary>Parses "features…, label" lines; exposed for tests of malformed input.</summary>
    public static Dataset Parse(string name, string path, string text, bool header, int features, int classes)
    {
        string[] lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        string[] rows = header ? lines.Skip(1).ToArray() : lines;
        if (rows.Length == 0)
        {
            throw new InvalidDataException($"{path}: no samples");
        }

        var x = new Matrix<double>(rows.Length, features);
        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int line = i + (header ? 2 : 1);
            string[] cells = rows[i].Split(',');
            if (cells.Length != features + 1)
            {
                throw new InvalidDataException($"{path}:{line}: {cells.Length} cells, expected {features + 1} ({features} features and a label)");
            }

            for (int j = 0; j < features; j++)
            {
                if (!double.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    throw new InvalidDataException($"{path}:{line}: column {j + 1} is \"{cells[j]}\", not a finite number");
                }

                x[i, j] = v;
            }

            if (!int.TryParse(cells[features], NumberStyles.Integer, CultureInfo.InvariantCulture, out int label) || label < 0 || label >= classes)
            {
                throw new InvalidDataException($"{path}:{line}: label \"{cells[features]}\" is not a class in [0, {classes})");
            }

            labels[i] = label;
        }

        return new Dataset(name, x, labels, classes);
    }

    /// <summary>The samples <paramref name="rows"/> as a batch in PyTorch's layout (samples in rows).</summary>
    /// <param name="rows">Indices of the samples to take, in order.</param>
    /// <param name="targets">
    /// Class indices: Y holds class indices, as cross_entropy takes them. Values: Y holds the label
    /// as a 0/1 target for a single output unit, as binary_cross_entropy takes it (two classes only).
    /// </param>
    public Batch<double> Batch(ReadOnlySpan<int> rows, TargetKind targets)
    {
        if (targets == TargetKind.Values && Classes != 2)
        {
            throw new ArgumentException($"{Name} has {Classes} classes; a 0/1 target needs exactly 2");
        }

        var x = new Matrix<double>(rows.Length, Features.Cols);
        var y = new Matrix<double>(rows.Length, 1);
        for (int r = 0; r < rows.Length; r++)
        {
            Features.Row(rows[r]).CopyTo(x.Row(r));
            y[r, 0] = Labels[rows[r]];
        }

        return new Batch<double>(x, y, targets);
    }

    /// <summary>How many of <paramref name="samples"/> a split with <paramref name="testFraction"/> sets aside for testing (at least one).</summary>
    public static int TestCount(int samples, double testFraction) => Math.Max(1, (int)Math.Round(samples * testFraction));

    /// <summary>
    /// A seeded shuffle split into training and test parts, each feature standardised with the
    /// training part's mean and standard deviation (constant features are left centred at 0).
    /// </summary>
    public (Dataset Train, Dataset Test) Split(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "the test fraction must lie strictly between 0 and 1");
        }

        int n = Labels.Length, testCount = TestCount(n, testFraction);
        if (testCount >= n)
        {
            throw new ArgumentException($"{n} samples leave none for training with a test fraction of {testFraction}");
        }

        int[] order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        int[] test = order[..testCount], train = order[testCount..];

        var mean = new double[Features.Cols];
        var std = new double[Features.Cols];
        for (int j = 0; j < Features.Cols; j++)
        {
            mean[j] = train.Average(i => Features[i, j]);
            std[j] = Math.Sqrt(train.Average(i => (Features[i, j] - mean[j]) * (Features[i, j] - mean[j])));
        }

        Dataset Take(int[] rows)
        {
            var x = new Matrix<double>(rows.Length, Features.Cols);
            for (int r = 0; r < rows.Length; r++)
            {
                for (int j = 0; j < Features.Cols; j++)
                {
                    x[r, j] = std[j] > 0 ? (Features[rows[r], j] - mean[j]) / std[j] : Features[rows[r], j] - mean[j];
                }
            }

            return this with { Features = x, Labels = rows.Select(r => Labels[r]).ToArray() };
        }

        return (Take(train), Take(test));
    }
}
