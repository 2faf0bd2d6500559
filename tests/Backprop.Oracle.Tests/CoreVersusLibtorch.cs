using Backprop.Core;
using Backprop.Verification;
using Backprop.Testing;

namespace Backprop.Oracle.Tests;

/// <summary>
/// The one helper that compares the core with libtorch (tinygrad's helper_test_op): run the case
/// through both, then compare the forward values, the cost, each gradient and the updated
/// parameters, libtorch as the expectation.
/// </summary>
public static class CoreVersusLibtorch
{
    public static void CoreMatchesLibtorch(TrainingCase trainingCase, DType dtype, Tolerance? tolerance = null)
    {
        IReadOnlyList<StepRecord<double>> torch = TorchOracle.Run(trainingCase, dtype);
        IReadOnlyList<StepRecord<double>> core = Trainer.Run(trainingCase, dtype);
        Agreement.Compare(torch, core, tolerance ?? Tolerance.For(dtype)).ShouldAllPass();
    }
}
