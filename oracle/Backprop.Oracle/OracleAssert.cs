using System.Globalization;
using Backprop.Core;
using Backprop.Verification;

namespace Backprop.Oracle;

/// <summary>
/// What <see cref="OracleAssert.Agrees"/> draws and how it judges: the vocabulary your network
/// supports (null: everything), the dtype, how many random networks from which seed, and where a
/// failing case is written. Names are PyTorch's (<c>relu</c>, <c>mse_loss</c>, <c>sgd</c>, and
/// <c>none</c> for no optimizer); layouts are samples/weights (<c>rows/out-in</c>).
/// Thread-safe: immutable.
/// </summary>
public sealed record OracleOptions
{
    public IReadOnlyList<string>? Activations { get; init; }

    public IReadOnlyList<string>? Losses { get; init; }

    public IReadOnlyList<string>? Optimizers { get; init; }

    /// <summary>Default: PyTorch's only, samples in rows and W out×in.</summary>
    public IReadOnlyList<string>? Layouts { get; init; } = ["rows/out-in"];

    public DType DType { get; init; } = DType.Float64;

    public int Networks { get; init; } = 100;

    public int Seed { get; init; } = 1;

    /// <summary>Training steps per case, 1 to 5.</summary>
    public int MaxSteps { get; init; } = 5;

    /// <summary>Overrides the dtype's default tolerance (torch.testing.assert_close's).</summary>
    public Tolerance? Tolerance { get; init; }

    /// <summary>Where the smallest failing case is written (default: a backprop-oracle folder in the temporary folder).</summary>
    public string? OutDir { get; init; }
}

/// <summary>A disagreement with libtorch: the message has the comparison table, the likely cause and the failing case's path. Thread-safe: immutable.</summary>
public sealed class OracleAssertException(string message, string? fixturePath) : Exception(message)
{
    /// <summary>The smallest failing case, as a backprop-fixture/1 file with libtorch's expectations.</summary>
    public string? FixturePath { get; } = fixturePath;
}

/// <summary>
/// Your own C# network against libtorch, in one call from any test framework: random networks
/// drawn as the project's property suite draws them (restricted to <see cref="OracleOptions"/>),
/// each trained by your network and by libtorch and compared quantity by quantity; a failure is
/// shrunk to a small case and thrown as an <see cref="OracleAssertException"/>. The same engine
/// as <c>backprop verify --exec</c>. Not thread-safe across calls sharing a network instance.
/// </summary>
public static class OracleAssert
{
    public static void Agrees(INetworkUnderTest network, OracleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new OracleOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Networks, 1, nameof(options.Networks));
        RandomNetworkOptions draw = RandomNetworkOptions.For(options.DType, options.MaxSteps, options.Activations, options.Losses, options.Optimizers, options.Layouts);
        var verify = new VerifyOptions(options.DType, options.Networks, options.Seed, draw) { Tolerance = options.Tolerance };
        VerifyOutcome outcome;
        try
        {
            outcome = Verifier.Run(new InProcessImplementation(network), TorchWitness.Instance, verify);
        }
        catch (ImplementationException e)
        {
            throw new OracleAssertException(e.Message, null);
        }

        if (outcome.Failure is not { } failure)
        {
            if (outcome.Compared == 0)
            {
                throw new OracleAssertException(
                    $"none of the {options.Networks} random networks could be compared ({outcome.Skipped} skipped: from the first step libtorch's own run " +
                    "overflowed or passed 1e6, or rounding decided which side of a kink a pre-activation fell on), so nothing was checked; " +
                    "raise Networks, or change Seed", null);
            }

            return;
        }

        string dir = options.OutDir ?? Path.Combine(Path.GetTempPath(), "backprop-oracle");
        string path = Path.Combine(dir, $"{failure.Fixture.Name}.json");
        Directory.CreateDirectory(dir);
        File.WriteAllText(path, FixtureWriter.Write(failure.Fixture));
        var message = new StringWriter(CultureInfo.InvariantCulture);
        message.WriteLine($"{network.GetType().Name} disagrees with libtorch on random network seed {failure.Original.Seed} " +
                          $"({outcome.Compared} compared), shrunk {failure.ShrinkSteps} times:");
        ResultsReport.Print("the smallest failing case", failure.Fixture.Header, failure.Check.Tolerance, failure.Check.Quantities, failure.Check.Findings, message);
        message.WriteLine($"The case, with libtorch's expectations: {path}");
        message.WriteLine($"Replay it: OracleAssert.AgreesOn(network, \"{path}\")");
        throw new OracleAssertException(message.ToString(), path);
    }

    /// <summary>Your network against one fixture file (a committed one, or a failing case written by <see cref="Agrees"/>); no libtorch is run.</summary>
    public static void AgreesOn(INetworkUnderTest network, string fixturePath)
    {
        ArgumentNullException.ThrowIfNull(network);
        Fixture fixture = FixtureReader.ReadFile(fixturePath);
        ResultsCheck check;
        try
        {
            check = ResultsCheck.Compare(fixture, new InProcessImplementation(network).Run(fixture));
        }
        catch (ImplementationException e)
        {
            throw new OracleAssertException(e.Message, fixturePath);
        }

        if (check.ExitCode != FixtureCheck.Passed)
        {
            var message = new StringWriter(CultureInfo.InvariantCulture);
            ResultsReport.Print(fixturePath, fixture.Header, check.Tolerance, check.Quantities, check.Findings, message);
            throw new OracleAssertException(message.ToString(), fixturePath);
        }
    }
}
