using Backprop.Core;
using Backprop.Core.Activations;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Backprop.Oracle.Tests;

/// <summary>The core against libtorch on random networks: every quantity of every step, under the dtype's tolerance.</summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class RandomNetworkTests
{
    [Property(MaxTest = 200, Arbitrary = [typeof(Arbitraries)])]
    public Property Core_Matches_Libtorch_On_Random_Networks(NetworkCase c)
    {
        OracleAssert.CoreMatchesLibtorch(c.Case, c.DType);
        bool kink = Trainer.Run<double>(c.Case)[0].Layers
            .Where((_, i) => c.Case.Network.Layers[i].Activation is Relu)
            .Any(l => l.Z.Data.Contains(0.0));
        return true.ToProperty()
            .Classify(kink, "hits a ReLU kink exactly")
            .Classify(c.Case.Network.Layers.Count > 2, "deeper than 2 layers")
            .Classify(c.Case.Optimizer is not null && c.Case.Steps > 1, "several optimizer steps")
            .Collect(c.DType.ToName());
    }
}
