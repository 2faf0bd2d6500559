namespace Backprop.Verification;

/// <summary>
/// A fixture that cannot be read or breaks the <c>backprop-fixture/1</c> contract. The message
/// starts with the JSON path of the offending value, e.g. <c>parameters[1].weight: expected 2×3, got 3×2</c>.
/// Thread-safe: immutable.
/// </summary>
public sealed class FixtureFormatException(string path, string problem)
    : Exception(path.Length == 0 ? problem : $"{path}: {problem}")
{
    public string JsonPath { get; } = path;

    public string Problem { get; } = problem;
}
