namespace Backprop.Cli;

/// <summary>What this machine is, for reports whose numbers depend on it (libtorch's last bits, speed). Thread-safe: the description is read once and never changes.</summary>
public static class Machine
{
    /// <summary>The CPU's model name as the operating system reports it, with its core count.</summary>
    public static string Cpu { get; } = Describe();

    private static string Describe()
    {
        string? model = null;
        try
        {
            model = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?
                .Split(':', 2)[1].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not readable: the architecture alone.
        }

        return $"{model ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores";
    }
}
