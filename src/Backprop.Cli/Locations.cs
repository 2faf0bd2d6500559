namespace Backprop.Cli;

/// <summary>
/// Where the command finds the committed fixtures and the data sets when no option names a
/// folder: the repository's fixtures/ when run inside the repository (found by walking up from
/// the current folder, then from the program's own folder, to Backprop.Verify.sln), else the
/// copies shipped beside the program, which the tool package carries.
/// Thread-safe: it holds no state.
/// </summary>
public static class Locations
{
    /// <summary>The repository's fixtures/ folder, or null outside the repository.</summary>
    public static string? RepositoryFixtures()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Backprop.Verify.sln")))
                {
                    return Path.Combine(dir.FullName, "fixtures");
                }
            }
        }

        return null;
    }

    /// <summary>The fixtures shipped beside the program, or null when it has none.</summary>
    public static string? ShippedFixtures()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "fixtures");
        return Directory.Exists(dir) ? dir : null;
    }

    /// <summary>The committed fixtures: the repository's, else the shipped copy.</summary>
    public static string? Fixtures() => RepositoryFixtures() ?? ShippedFixtures();

    /// <summary>The data sets for <c>train</c>: fixtures/data of the repository, else of the shipped copy.</summary>
    public static string? Data() => Fixtures() is { } fixtures ? Path.Combine(fixtures, "data") : null;
}
