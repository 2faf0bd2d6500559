using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

public class KernelOptionsTests
{
    [Fact]
    public void A_Thread_Count_Below_1_And_A_Negative_Threshold_Are_Refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new KernelOptions { Threads = 0 }).Message.ShouldContain("Threads");
        Should.Throw<ArgumentOutOfRangeException>(() => new KernelOptions { ParallelThreshold = -1 }).Message.ShouldContain("ParallelThreshold");
    }

    [Fact]
    public void The_Defaults_Are_One_Thread_And_2_To_The_22_On_The_Best_Path()
    {
        (KernelOptions.Default.Threads, KernelOptions.Default.ParallelThreshold, KernelOptions.Default.Path).ShouldBe((1, 1L << 22, (SimdPath?)null));
    }
}
