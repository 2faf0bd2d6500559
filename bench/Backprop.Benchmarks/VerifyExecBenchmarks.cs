using BenchmarkDotNet.Attributes;
using Backprop.Core;
using Backprop.Oracle;
using Backprop.Verification;

namespace Backprop.Benchmarks;

/// <summary>
/// <c>verify --exec</c> against the example Python client (examples/python), end to end: drawing,
/// libtorch's run, the question line, the client's answer and the comparison. Each invocation is
/// <see cref="Networks"/> networks, so networks per second = Networks / mean time. The client's
/// process is started once, as verify --exec does.
/// </summary>
[MemoryDiagnoser]
public class VerifyExecBenchmarks
{
    private ProcessImplementation? client;
    private VerifyOptions? options;

    [Params(50)]
    public int Networks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Backprop.Verify.sln"))) root = Path.GetDirectoryName(root)!;
        client = new ProcessImplementation($"python3 \"{Path.Combine(root, "examples", "python", "backprop_client.py")}\"", TimeSpan.FromSeconds(30));
        var draw = new RandomNetworkOptions
        {
            Activations = new HashSet<string> { "relu", "sigmoid", "tanh" },
            Losses = new HashSet<string> { "mse_loss", "binary_cross_entropy" },
            Optimizers = new HashSet<string> { "none", "sgd" },
        };
        options = new VerifyOptions(DType.Float64, Networks, 1, draw);
    }

    [GlobalCleanup]
    public void Cleanup() => client?.Dispose();

    [Benchmark]
    public int VerifyExec() => Verifier.Run(client!, TorchWitness.Instance, options!).Compared;
}
