namespace Backprop.Core.Kernels;

/// <summary>A job over C's rows that any thread can run a block of.</summary>
internal interface IRowJob
{
    int Rows { get; }

    /// <summary>Computes rows [first, last); returns the columns covered (the same for every block).</summary>
    int RunRows(int first, int last);
}

/// <summary>
/// Runs a row job on the calling thread and on helper threads that live for the process, block by
/// block: no task, closure or delegate per call, so a parallel product allocates nothing. One
/// product uses the helpers at a time; a caller that finds them busy is told to run alone.
/// </summary>
internal static class RowBlocks
{
    private static readonly object Gate = new();
    private static Helper[] helpers = [];

    public static bool TryRun<TJob>(TJob job, int parts, out int done)
        where TJob : IRowJob
    {
        done = 0;
        if (!Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            EnsureHelpers(parts - 1);
            Runner<TJob>.Job = job;
            int rows = job.Rows;

            // Blocks of whole four-row tiles, as equal as they can be; the caller takes the first.
            int tiles = (rows + 3) / 4;
            int Boundary(int part) => Math.Min(rows, part * tiles / parts * 4);
            for (int h = 1; h < parts; h++)
            {
                helpers[h - 1].Start(Runner<TJob>.Run, Boundary(h), Boundary(h + 1));
            }

            done = job.RunRows(0, Boundary(1));
            for (int h = 1; h < parts; h++)
            {
                helpers[h - 1].Wait();
            }

            return true;
        }
        finally
        {
            Runner<TJob>.Job = default!;
            Monitor.Exit(Gate);
        }
    }

    /// <summary>
    /// The job being run, in a static of its own type, and one cached delegate that runs a block
    /// of it: handing a block to a helper allocates nothing (no boxing, no closure). Written only
    /// under the gate; the helpers' semaphores order the accesses.
    /// </summary>
    private static class Runner<TJob>
        where TJob : IRowJob
    {
        public static TJob Job = default!;

        public static readonly Action<int, int> Run = static (first, last) => Job.RunRows(first, last);
    }

    private static void EnsureHelpers(int count)
    {
        if (helpers.Length >= count)
        {
            return;
        }

        Helper[] more = new Helper[count];
        helpers.CopyTo(more, 0);
        for (int i = helpers.Length; i < count; i++)
        {
            more[i] = new Helper(i);
        }

        helpers = more;
    }

    /// <summary>A thread that runs one block whenever it is started, then signals.</summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim go = new(0);
        private readonly SemaphoreSlim finished = new(0);
        private Action<int, int>? run;
        private int first, last;
        private Exception? failure;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Backprop GEMM helper {index + 1}" };
            thread.Start();
        }

        public void Start(Action<int, int> block, int from, int to)
        {
            (run, first, last, failure) = (block, from, to, null);
            go.Release();
        }

        public void Wait()
        {
            finished.Wait();
            if (failure is not null)
            {
                throw new InvalidOperationException("a GEMM helper thread failed", failure);
            }
        }

        private void Loop()
        {
            while (true)
            {
                go.Wait();
                try
                {
                    if (first < last)
                    {
                        run!(first, last);
                    }
                }
                catch (Exception e)
                {
                    failure = e;
                }

                run = null;
                finished.Release();
            }
        }
    }
}
