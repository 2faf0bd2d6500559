namespace Backprop.Core.Kernels;

/// <summary>A job made of panels that any thread can compute, each independently of the others.</summary>
internal interface IPanelJob
{
    void RunPanel(int panel);
}

/// <summary>
/// Runs a job's panels on the calling thread and on helper threads that live for the process.
/// Every thread takes the next panel as it finishes one, so a helper that the operating system
/// has not scheduled yet costs nothing: the caller takes its share, and a helper that never got
/// to start is told not to. No task, closure or boxing per call, so a parallel product allocates
/// nothing. One job uses the helpers at a time; a caller that finds them busy is told to run alone.
/// </summary>
internal static class PanelWorkers
{
    private const int Idle = 0, Requested = 1, Running = 2, Done = 3;

    private static readonly object Gate = new();
    private static Helper[] helpers = [];
    private static int next, total;

    /// <summary>Runs panels [0, <paramref name="panels"/>) on up to <paramref name="threads"/> threads; false if the helpers are busy.</summary>
    public static bool TryRun<TJob>(TJob job, int panels, int threads)
        where TJob : IPanelJob
    {
        if (!Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            int helping = Math.Min(threads, panels) - 1;
            EnsureHelpers(helping);
            Runner<TJob>.Job = job;
            (next, total) = (0, panels);
            for (int h = 0; h < helping; h++)
            {
                helpers[h].Request(Runner<TJob>.Run);
            }

            Exception? failure = null;
            try
            {
                TakePanels(Runner<TJob>.Run);
            }
            catch (Exception e)
            {
                failure = e;
            }

            // Always settle every helper before the job's memory is released, even after a failure.
            for (int h = 0; h < helping; h++)
            {
                Exception? helperFailure = helpers[h].Settle();
                failure ??= helperFailure;
            }

            if (failure is not null)
            {
                throw new InvalidOperationException("a matrix product failed on one of its threads", failure);
            }

            return true;
        }
        finally
        {
            Runner<TJob>.Job = default!;
            Monitor.Exit(Gate);
        }
    }

    private static void TakePanels(Action<int> run)
    {
        int panel;
        while ((panel = Interlocked.Increment(ref next) - 1) < Volatile.Read(ref total))
        {
            run(panel);
        }
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

    /// <summary>
    /// The job being run, in a static of its own type, and one cached delegate that runs a panel
    /// of it: handing work to a helper allocates nothing. Written only under the gate.
    /// </summary>
    private static class Runner<TJob>
        where TJob : IPanelJob
    {
        public static TJob Job = default!;

        public static readonly Action<int> Run = static panel => Job.RunPanel(panel);
    }

    /// <summary>A thread that, when requested and not called off first, takes panels until none are left.</summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim wake = new(0);
        private Action<int>? run;
        private Exception? failure;
        private int state = Idle;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Backprop GEMM helper {index + 1}" };
            thread.Start();
        }

        public void Request(Action<int> work)
        {
            (run, failure) = (work, null);
            Volatile.Write(ref state, Requested);
            wake.Release();
        }

        /// <summary>Calls the helper off if it has not started; otherwise waits until it is done. Returns its failure, if any.</summary>
        public Exception? Settle()
        {
            if (Interlocked.CompareExchange(ref state, Idle, Requested) == Requested)
            {
                return null; // never started: it will find nothing to do when it wakes
            }

            var spinner = default(SpinWait);
            while (Volatile.Read(ref state) != Done)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            Volatile.Write(ref state, Idle);
            return failure;
        }

        private void Loop()
        {
            while (true)
            {
                wake.Wait();
                if (Interlocked.CompareExchange(ref state, Running, Requested) != Requested)
                {
                    continue; // called off before it woke
                }

                try
                {
                    TakePanels(run!);
                }
                catch (Exception e)
                {
                    failure = e;
                }

                Volatile.Write(ref state, Done);
            }
        }
    }
}
