using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

/// <summary>
/// The helper threads behind parallel kernels: every block runs exactly once whatever the
/// thread count, each thread on its own share first, a failure on any thread surfaces after all have settled, and a second caller
/// that finds the helpers busy is told to run alone. In the "Kernel helper threads" collection,
/// as the helpers are shared with the products and updates.
/// </summary>
[Collection(KernelHelperThreads.Name)]
public class BlockWorkersTests
{
    private sealed class Counting(int blocks, int failAt = -1, ManualResetEventSlim? hold = null) : IBlockJob
    {
        public int[] Runs { get; } = new int[blocks];

        public ManualResetEventSlim Started { get; } = new();

        public void RunBlock(int block)
        {
            Started.Set();
            hold?.Wait();
            Interlocked.Increment(ref Runs[block]);
            if (block == failAt)
            {
                throw new ArithmeticException($"block {block}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 1)]
    [InlineData(37, 2)]
    [InlineData(37, 4)]
    [InlineData(3, 8)]
    public void Every_Block_Runs_Exactly_Once(int blocks, int threads)
    {
        var job = new Counting(blocks);
        BlockWorkers.TryRun(job, blocks, threads).ShouldBeTrue();
        job.Runs.ShouldAllBe(r => r == 1);
    }

    [Fact]
    public void The_Caller_Runs_The_First_Share_And_A_Helper_The_Second()
    {
        // Block 0 waits for block 1 to start: only a helper that takes its own share first lets
        // it finish (a caller that ran its share and then the next would wait for itself).
        using var secondStarted = new ManualResetEventSlim();
        var threadOf = new int[2];
        var job = new Recording(block =>
        {
            threadOf[block] = Environment.CurrentManagedThreadId;
            if (block == 1)
            {
                secondStarted.Set();
            }
            else
            {
                secondStarted.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue("block 1 never started while block 0 ran");
            }
        });

        BlockWorkers.TryRun(job, 2, 2).ShouldBeTrue();
        threadOf[0].ShouldBe(Environment.CurrentManagedThreadId);
        threadOf[1].ShouldNotBe(Environment.CurrentManagedThreadId);
    }

    [Fact]
    public void A_Block_That_Fails_On_A_Helper_Surfaces_On_The_Caller()
    {
        // Block 0 (the caller's) waits until block 1 has run, so block 1 fails on the helper.
        using var secondDone = new ManualResetEventSlim();
        var job = new Recording(block =>
        {
            if (block == 0)
            {
                secondDone.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue("block 1 never ran while block 0 waited");
                return;
            }

            secondDone.Set();
            throw new ArithmeticException("block 1 on a helper");
        });

        InvalidOperationException e = Should.Throw<InvalidOperationException>(() => BlockWorkers.TryRun(job, 2, 2));
        e.InnerException.ShouldBeOfType<ArithmeticException>().Message.ShouldBe("block 1 on a helper");
    }

    private sealed class Recording(Action<int> run) : IBlockJob
    {
        public void RunBlock(int block) => run(block);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(39)]
    public void A_Failing_Block_Surfaces_After_Every_Thread_Settles_And_The_Helpers_Work_Again(int failAt)
    {
        var failing = new Counting(40, failAt);
        InvalidOperationException e = Should.Throw<InvalidOperationException>(() => BlockWorkers.TryRun(failing, 40, 3));
        e.Message.ShouldBe("a kernel failed on one of its threads");
        e.InnerException.ShouldBeOfType<ArithmeticException>().Message.ShouldBe($"block {failAt}");

        var next = new Counting(40);
        BlockWorkers.TryRun(next, 40, 3).ShouldBeTrue();
        next.Runs.ShouldAllBe(r => r == 1);
    }

    [Fact]
    public async Task A_Caller_That_Finds_The_Helpers_Busy_Is_Told_To_Run_Alone()
    {
        using var hold = new ManualResetEventSlim();
        var blocked = new Counting(4, hold: hold);
        Task<bool> first = Task.Run(() => BlockWorkers.TryRun(blocked, 4, 2));
        blocked.Started.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();

        var second = new Counting(4);
        BlockWorkers.TryRun(second, 4, 2).ShouldBeFalse();
        second.Runs.ShouldAllBe(r => r == 0);

        hold.Set();
        (await first.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBeTrue();
        blocked.Runs.ShouldAllBe(r => r == 1);
    }
}
