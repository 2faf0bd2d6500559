namespace Backprop.Cli;

/// <summary>What this machine is, for reports whose numbers depend on it (libtorch's last bits, speed). Thread-safe: the description is read once and never changes.</summary>
public static class Machine
{
    /// <summary>The CPU's model name as the operating system reports it, with its core count.</summary>
    public static string Cpu { get; } = $"{Field("model name") ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores";

    /// <summary>
    /// The CPU family and model numbers (family 26 model 2 is AMD's Zen 5; family 6 model 207 an
    /// Intel Xeon of the Sapphire/Emerald Rapids class), or "family unknown" where the operating
    /// system does not say.
    /// </summary>
    public static string Family { get; } = Field("cpu family") is string family ? $"family {family} model {Field("model")}" : "family unknown";

    /// <summary>The first value of <paramref name="name"/> in /proc/cpuinfo, if it can be read.</summary>
    private static string? Field(string name)
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .Select(line => line.Split(':', 2))
                .FirstOrDefault(parts => parts.Length == 2 && parts[0].Trim() == name)?[1].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // not Linux, or not readable
        }
    }
}
