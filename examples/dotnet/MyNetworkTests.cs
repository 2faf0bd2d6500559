using Backprop.Oracle;
using Xunit;

namespace MyBackprop;

public class MyNetworkTests
{
    private static readonly OracleOptions Supported = new()
    {
        Activations = ["relu", "sigmoid", "tanh"],
        Losses = ["mse_loss", "binary_cross_entropy"],
        Optimizers = ["none", "sgd"],
        Networks = 100,
        Seed = 1,
    };

    [Fact]
    public void My_Network_Agrees_With_Libtorch() => OracleAssert.Agrees(new MyNetwork(), Supported);

    [Fact]
    public void A_Planted_Bug_Is_Caught_And_Named()
    {
        // The bug: mse_loss's mean over the samples only. The oracle must find it and say so.
        var e = Assert.Throws<OracleAssertException>(() => OracleAssert.Agrees(new MyNetwork(meanOverSamplesOnly: true), Supported with { Losses = ["mse_loss"] }));
        Assert.Contains("likely cause: a mean over the samples only (divide by n)", e.Message);
        Assert.True(File.Exists(e.FixturePath));
    }
}
