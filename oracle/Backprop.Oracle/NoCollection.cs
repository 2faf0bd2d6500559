using System.Runtime;

namespace Backprop.Oracle;

/// <summary>
/// Runs libtorch work with no garbage collection allowed to start inside it. TorchSharp turns
/// numbers into temporary <c>Scalar</c> objects (the alpha of <c>add_</c> in <c>SGD.step</c>, a
/// leaky_relu slope, a loss scale) and passes only their native handles to libtorch, without
/// keeping the objects alive; a collection during the native call can finalize one and free the
/// value libtorch is still reading. Seen here once: SGD.step failed with libtorch's
/// "Expected false to be true" from Scalar::toFloat in a run of <c>backprop train</c>. A wrong
/// number could come out the same way, so the oracle closes the window for everything it compares
/// or reports. The race needs another thread allocating meanwhile (a test runner, a progress bar).
/// </summary>
public static class NoCollection
{
    /// <summary>
    /// Far more than a step of the oracle allocates on the managed heap (tensor wrappers and
    /// scalars). Starting a region costs a full collection (measured: 7 µs here at 4 MiB, 16 µs
    /// at 64 MiB), which is why the benchmarks' libtorch step runs without one.
    /// </summary>
    private const long Budget = 4L << 20;

    public static T Run<T>(Func<T> work)
    {
        bool region = false;
        try
        {
            region = GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(Budget);
        }
        catch (InvalidOperationException)
        {
            // Another thread holds a region: run without one.
        }

        try
        {
            return work();
        }
        finally
        {
            // If something allocated past the budget, a collection ended the region already.
            if (region && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
    }
}
