using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

/// <summary>
/// The helper threads behind parallel products: every panel runs exactly once whatever the
/// thread count, a failure on any thread surfaces after all have settled, and a second caller
/// that finds the helpers busy is told to run alone. In the "Gemm settings" collection, as the
/// helpers are shared with the products.
/// </summary>
[Collection("Gemm settings")]
public class PanelWorkersTests
{
    private sealed class Counting(int panels, int failAt = -1, ManualResetEventSlim? hold = null) : IPanelJob
    {
        public int[] Runs { get; } = new int[panels];

        public ManualResetEventSlim Started { get; } = new();

        public void RunPanel(int panel)
        {
            Started.Set();
            hold?.Wait();
            Interlocked.Increment(ref Runs[panel]);
            if (panel == failAt)
            {
                throw new ArithmeticException($"panel {panel}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 1)]
    [InlineData(37, 2)]
    [InlineData(37, 4)]
    [InlineData(3, 8)]
    public void Every_Panel_Runs_Exactly_Once(int panels, int threads)
    {
        var job = new Counting(panels);
        PanelWorkers.TryRun(job, panels, threads).ShouldBeTrue();
        job.Runs.ShouldAllBe(r => r == 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(39)]
    public void A_Failing_Panel_Surfaces_After_Every_Thread_Settles_And_The_Helpers_Work_Again(int failAt)
    {
        var failing = new Counting(40, failAt);
        InvalidOperationException e = Should.Throw<InvalidOperationException>(() => PanelWorkers.TryRun(failing, 40, 3));
        e.Message.ShouldBe("a matrix product failed on one of its threads");
        e.InnerException.ShouldBeOfType<ArithmeticException>().Message.ShouldBe($"panel {failAt}");

        var next = new Counting(40);
        PanelWorkers.TryRun(next, 40, 3).ShouldBeTrue();
        next.Runs.ShouldAllBe(r => r == 1);
    }

    [Fact]
    public async Task A_Caller_That_Finds_The_Helpers_Busy_Is_Told_To_Run_Alone()
    {
        using var hold = new ManualResetEventSlim();
        var blocked = new Counting(4, hold: hold);
        Task<bool> first = Task.Run(() => PanelWorkers.TryRun(blocked, 4, 2));
        blocked.Started.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();

        var second = new Counting(4);
        PanelWorkers.TryRun(second, 4, 2).ShouldBeFalse();
        second.Runs.ShouldAllBe(r => r == 0);

        hold.Set();
        (await first.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBeTrue();
        blocked.Runs.ShouldAllBe(r => r == 1);
    }
}
