namespace Backprop.Core;

/// <summary>Argument checks shared by the records: a null where a value is required is named, never a NullReferenceException later.</summary>
internal static class Guard
{
    /// <summary>The list, after checking that neither it nor any element is null.</summary>
    public static IReadOnlyList<T> NoNulls<T>(IReadOnlyList<T>? list, string name)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(list, name);
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentNullException(name, $"{name}[{i}] is null");
            }
        }

        return list;
    }

    /// <summary>The value, after checking that it is not null.</summary>
    public static T NotNull<T>(T? value, string name)
        where T : class
        => value ?? throw new ArgumentNullException(name);
}
