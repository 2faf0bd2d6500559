using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

/// <summary>
/// Products split among threads give the definition's bits. In the "Kernel helper threads"
/// collection: the helper threads are one set per process, and a product that finds them busy
/// runs alone (the same bits), which would leave the split untested.
/// </summary>
[Collection(KernelHelperThreads.Name)]
public class GemmThreadsTests
{
    [Theory]
    [InlineData(8, 300, 70)]
    [InlineData(67, 129, 65)]
    [InlineData(64, 784, 256)]
    [InlineData(256, 64, 100)]
    public void Panels_On_Several_Threads_Give_The_Same_Bits(int m, int k, int n)
    {
        foreach (int threads in new[] { 2, 3 })
        {
            var options = new KernelOptions { Threads = threads, ParallelThreshold = 0 };
            GemmTests.EveryPathIsTheDefinition<float>(m, k, n, options);
            GemmTests.EveryPathIsTheDefinition<double>(m, k, n, options);
        }
    }
}

/// <summary>The tests that need the process's kernel helper threads to themselves (see <see cref="BlockWorkers"/>).</summary>
[CollectionDefinition(Name)]
public sealed class KernelHelperThreads
{
    public const string Name = "Kernel helper threads";
}
