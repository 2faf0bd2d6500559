using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Backprop.Core.Kernels;

/// <summary>A job made of blocks that any thread can compute, each independently of the others.</summary>
internal interface IBlockJob
{
    void RunBlock(int block);
}

/// <summary>
/// Runs a job's blocks on the calling thread and on helper threads that live for the process.
/// The blocks are dealt out in equal contiguous shares, the caller's first, and every thread
/// takes its own share's blocks first: a job split into as many blocks as threads runs block t
/// on thread t each time, so the rows a thread computes in one product, and updates in the
/// optimizer's step, are still in its own core's cache the next time (moving them between the
/// cores costs more here than the second core saves). A thread that has finished its share takes
/// what is left of the others', so a helper that the operating system has not scheduled yet
/// costs nothing: the caller takes its share, and a helper that never got to start is told not
/// to. No task, closure or boxing per call, so a parallel product allocates nothing. One job
/// uses the helpers at a time; a caller that finds them busy is told to run alone.
/// </summary>
internal static class BlockWorkers
{
    private const int Idle = 0, Requested = 1, Running = 2, Done = 3;

    /// <summary>How long a helper watches for its next job before it sleeps (measured; see the README).</summary>
    private const int WatchMicros = 1000;

    private static readonly object Gate = new();
    private static Helper[] helpers = [];
    private static Share[] shares = new Share[1];

    /// <summary>Runs blocks [0, <paramref name="blocks"/>) on up to <paramref name="threads"/> threads; false if the helpers are busy.</summary>
    public static bool TryRun<TJob>(TJob job, int blocks, int threads)
        where TJob : IBlockJob
    {
        if (!Monitor.TryEnter(Gate))
        {
            return false;
        }

        try
        {
            int workers = Math.Min(threads, blocks);
            EnsureHelpers(workers - 1);
            for (int t = 0; t < workers; t++)
            {
                (shares[t].Next, shares[t].End) = ((int)((long)blocks * t / workers), (int)((long)blocks * (t + 1) / workers));
            }

            Runner<TJob>.Job = job;
            for (int h = 0; h < workers - 1; h++)
            {
                helpers[h].Request(Runner<TJob>.Run, workers);
            }

            Exception? failure = null;
            try
            {
                TakeBlocks(0, workers, Runner<TJob>.Run);
            }
            catch (Exception e)
            {
                failure = e;
            }

            // Always settle every helper before the job's memory is released, even after a failure.
            for (int h = 0; h < workers - 1; h++)
            {
                Exception? helperFailure = helpers[h].Settle();
                failure ??= helperFailure;
            }

            if (failure is not null)
            {
                throw new InvalidOperationException("a kernel failed on one of its threads", failure);
            }

            return true;
        }
        finally
        {
            Runner<TJob>.Job = default!;
            Monitor.Exit(Gate);
        }
    }

    /// <summary>Thread <paramref name="self"/>'s own share first, then whatever is left of the others'.</summary>
    private static void TakeBlocks(int self, int workers, Action<int> run)
    {
        for (int s = 0; s < workers; s++)
        {
            ref Share share = ref shares[(self + s) % workers];
            int block;
            while ((block = Interlocked.Increment(ref share.Next) - 1) < share.End)
            {
                run(block);
            }
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
            more[i] = new Helper(i + 1);
        }

        (helpers, shares) = (more, new Share[count + 1]);
    }

    /// <summary>One thread's share of the blocks, [Next, End), on a cache line of its own.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Share
    {
        [FieldOffset(0)]
        public int Next;

        [FieldOffset(4)]
        public int End;
    }

    /// <summary>
    /// The job being run, in a static of its own type, and one cached delegate that runs a block
    /// of it: handing work to a helper allocates nothing. Written only under the gate.
    /// </summary>
    private static class Runner<TJob>
        where TJob : IBlockJob
    {
        public static TJob Job = default!;

        public static readonly Action<int> Run = static block => Job.RunBlock(block);
    }

    /// <summary>
    /// Thread <c>self</c> (the caller is 0): when requested and not called off first, takes blocks
    /// until none are left.
    /// </summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim wake = new(0);
        private readonly int self;
        private Action<int>? run;
        private Exception? failure;
        private int state = Idle, workers;

        public Helper(int self)
        {
            this.self = self;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Backprop kernel helper {self}" };
            thread.Start();
        }

        public void Request(Action<int> work, int workerCount)
        {
            (run, failure, workers) = (work, null, workerCount);
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
                // Watch for the next request a while before sleeping: a training step's products
                // come tens of microseconds apart, and waking a sleeping thread takes about as long.
                long until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * WatchMicros / 1_000_000);
                while (Volatile.Read(ref state) != Requested && Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(20);
                }

                wake.Wait();
                if (Interlocked.CompareExchange(ref state, Running, Requested) != Requested)
                {
                    continue; // called off before it woke
                }

                try
                {
                    TakeBlocks(self, workers, run!);
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
