namespace Backprop.Verification;

/// <summary>
/// Reading a file a user names without trusting it: only a regular file, never more than a
/// limit. What the fixture and results readers, and <c>backprop train</c>'s data sets, read
/// through. Thread-safe: it holds no state.
/// </summary>
public static class BoundedFile
{
    /// <summary>
    /// The bytes of a regular file, refusing anything else before opening it (a folder, a FIFO, a
    /// device such as /dev/zero, a socket: all but folders report no size), and never reading
    /// more than <paramref name="maxBytes"/> bytes, whatever the file system says its size is.
    /// <paramref name="what"/> names the files in a refusal ("fixtures"). Every refusal is an
    /// <see cref="InvalidDataException"/> whose message names the file and why.
    /// </summary>
    public static byte[] Read(string path, long maxBytes, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? problem = null;
        try
        {
            if (Directory.Exists(path))
            {
                problem = "it is a folder, not a file";
            }
            else
            {
                // A symbolic link reports its own size: what is read is its final target's.
                var info = new FileInfo(path);
                if (info.LinkTarget is not null)
                {
                    info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
                }

                if (!info.Exists)
                {
                    problem = "no such file";
                }
                else if (info.Length == 0)
                {
                    // A FIFO would block the open until a writer comes, and /dev/zero never ends:
                    // both report a size of 0, as does an empty file, which is no JSON either.
                    problem = "it is empty, or not a regular file (a FIFO, a device or a socket report no size)";
                }
                else if (info.Length > maxBytes)
                {
                    throw new InvalidDataException($"the file is {info.Length} bytes; {what} are limited to {maxBytes} bytes");
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            throw new InvalidDataException($"cannot read {path}: {problem}");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            var buffer = new byte[(int)Math.Min(maxBytes + 1, Math.Max(stream.Length + 1, 4096))];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > maxBytes)
                    {
                        throw new InvalidDataException($"the file grew past {maxBytes} bytes while it was read; {what} are limited to {maxBytes} bytes");
                    }

                    Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1, (long)buffer.Length * 2));
                }

                int read = stream.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return length == buffer.Length ? buffer : buffer[..length];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidDataException($"cannot read {path}: {e.Message}");
        }
    }
}
