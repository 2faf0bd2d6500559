using System.Diagnostics;
using System.Text;

namespace Backprop.Verification;

/// <summary>
/// An implementation in any language, run as one long-lived process that speaks the
/// <c>verify --exec</c> protocol (docs/verify-protocol.md): for each case the oracle writes one
/// line to its standard input, a <c>backprop-fixture/1</c> object without <c>expected</c> and
/// <c>tolerance</c>; the process answers with one line on standard output, a
/// <c>backprop-results/1</c> object; when its standard input closes, it exits. A crash, a line
/// that is not valid results, an answer out of step, or no answer within the timeout ends the run
/// with an <see cref="ImplementationException"/> carrying the tail of the process's standard
/// error. The process is killed, never waited on forever.
/// Not thread-safe: the protocol is one question and one answer at a time on one process.
/// </summary>
public sealed class ProcessImplementation : IPipelinedImplementation, IDisposable
{
    private const int StderrLines = 20;

    /// <summary>The longest answer line read: a results file's own limit.</summary>
    private const long MaxLine = FixtureReader.MaxFileBytes;

    private readonly char[] pending = new char[1 << 16];
    private int pendingStart;
    private int pendingEnd;
    private bool lineTooLong;

    private readonly Process process;
    private readonly TimeSpan timeout;
    private readonly Queue<string> stderr = new();
    private int asked;
    private int answered;

    public ProcessImplementation(string command, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        Command = command;
        this.timeout = timeout;
        var start = new ProcessStartInfo(OperatingSystem.IsWindows() ? "cmd.exe" : "/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add(OperatingSystem.IsWindows() ? "/c" : "-c");
        start.ArgumentList.Add(command);
        process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderr)
            {
                stderr.Enqueue(e.Data.Length > 500 ? e.Data[..500] + "…" : e.Data);
                while (stderr.Count > StderrLines) stderr.Dequeue();
            }
        };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ImplementationException($"cannot start \"{command}\": {e.Message}");
        }

        process.BeginErrorReadLine();
    }

    public string Command { get; }

    public Results Run(Fixture question)
    {
        Send(question);
        return Receive(question);
    }

    /// <summary>Writes the question's line; its answer is read by a later <see cref="Receive"/>, in order.</summary>
    public void Send(Fixture question)
    {
        ArgumentNullException.ThrowIfNull(question);
        asked++;
        try
        {
            process.StandardInput.WriteLine(Question.Write(question));
            process.StandardInput.Flush();
        }
        catch (IOException e)
        {
            throw Failure($"could not send case {asked}: {e.Message}");
        }
    }

    /// <summary>Reads the answer to the oldest question sent and not yet answered, which must be <paramref name="question"/>.</summary>
    public Results Receive(Fixture question)
    {
        ArgumentNullException.ThrowIfNull(question);
        int number = ++answered;
        string? line = ReadLine($"case {number}");
        if (line is null)
        {
            throw Failure($"ended before answering case {number}");
        }

        try
        {
            return ResultsReader.Parse(line, question);
        }
        catch (FixtureFormatException e)
        {
            throw Failure($"answered case {number} with something that is not backprop-results/1 for it: {e.Message} (the line began: {Clip(line)})");
        }
    }

    /// <summary>Closes the process's standard input, and checks that it exits without another line.</summary>
    public void Finish()
    {
        process.StandardInput.Close();
        string? extra = ReadLine("the end of its input");
        if (extra is not null)
        {
            throw Failure($"answered {asked} cases with more than {asked} lines (the next began: {Clip(extra)})");
        }

        if (!process.WaitForExit(timeout))
        {
            throw Failure($"did not exit within {timeout.TotalSeconds:0.#} s of its input closing");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(2000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        process.Dispose();
    }

    /// <summary>One line of standard output, null at its end; an <see cref="ImplementationException"/> after the timeout.</summary>
    private string? ReadLine(string waitingFor)
    {
        Task<string?> read = Task.Run(ReadBoundedLine);
        if (!read.Wait(timeout))
        {
            Kill(); // ends the blocked read too
            throw Failure($"gave no answer within {timeout.TotalSeconds:0.#} s to {waitingFor}");
        }

        return read.Result ?? (lineTooLong ? throw Failure($"answered {waitingFor} with a line longer than {MaxLine} characters") : null);
    }

    /// <summary>
    /// Reads up to the next newline, holding at most <see cref="MaxLine"/> characters: a program
    /// that writes without end cannot fill memory. Null at the end of the output, or past the limit
    /// (with <see cref="lineTooLong"/> set).
    /// </summary>
    private string? ReadBoundedLine()
    {
        var line = new StringBuilder();
        while (true)
        {
            if (pendingStart == pendingEnd)
            {
                (pendingStart, pendingEnd) = (0, process.StandardOutput.Read(pending, 0, pending.Length));
                if (pendingEnd == 0)
                {
                    return line.Length > 0 ? line.ToString() : null;
                }
            }

            int newline = Array.IndexOf(pending, '\n', pendingStart, pendingEnd - pendingStart);
            int end = newline < 0 ? pendingEnd : newline;
            line.Append(pending, pendingStart, end - pendingStart);
            pendingStart = newline < 0 ? pendingEnd : newline + 1;
            if (line.Length > MaxLine)
            {
                lineTooLong = true;
                return null;
            }

            if (newline >= 0)
            {
                return line.ToString().TrimEnd('\r');
            }
        }
    }

    private void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private ImplementationException Failure(string what)
    {
        bool exited = process.WaitForExit(500);
        string status = exited ? $" (it exited with code {process.ExitCode})" : "";

        // Let the last lines of standard error arrive: only the wait without a timeout waits for the
        // asynchronous reader to reach the end of the stream (bounded, in case a child keeps it open).
        _ = exited ? Task.Run(() => process.WaitForExit()).Wait(TimeSpan.FromSeconds(2)) : process.WaitForExit(200);
        string tail;
        lock (stderr)
        {
            tail = stderr.Count == 0 ? " It wrote nothing to standard error." : $" The end of its standard error:\n  {string.Join("\n  ", stderr)}";
        }

        return new ImplementationException($"\"{Command}\" {what}{status}.{tail}");
    }

    private static string Clip(string line) => line.Length <= 80 ? line : line[..77] + "...";
}
