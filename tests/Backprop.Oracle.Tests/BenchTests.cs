using System.Text.Json.Nodes;
using Backprop.Cli;
using Backprop.Core;
using Backprop.Testing;

namespace Backprop.Oracle.Tests;

/// <summary>What the timings time, and <c>backprop bench</c>'s output and refusals (no timing is asserted).</summary>
[Collection(LibtorchCollection.Name)]
[Trait("Category", "Torch")]
public class BenchTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    [Theory]
    [InlineData("32-64-64-1 b16", DType.Float32)]
    [InlineData("784-256-128-10 b64", DType.Float64)]
    public void The_Timed_Libtorch_Step_Is_The_Oracles_Step(string name, DType dtype)
    {
        // TorchSession.Train drops the records and retain_grad, not any arithmetic.
        TrainingCase c = SpeedCases.All.Single(s => s.Name == name).Case;
        using var recording = new TorchSession(c, dtype);
        using var plain = new TorchSession(c, dtype);
        using TorchBatch batch = plain.Prepare(c.Batches[0]);
        for (int k = 0; k < 3; k++)
        {
            plain.Train(batch).ShouldBe(recording.Step(c.Batches[0]).Cost);
        }

        plain.Parameters()[0].Weight.Data.ShouldBe(recording.Parameters()[0].Weight.Data);
    }

    [Fact]
    public void The_Multiply_Adds_Count_Every_Product_Of_A_Step()
    {
        // 2-3-2-1, batch 2: forward and dW in every layer (2·(6 + 6 + 2) each), dA in layers 2 and 3.
        SpeedCases.All[0].MultiplyAdds.ShouldBe((2 * 2 * (6 + 6 + 2)) + (2 * (6 + 2)));
    }

    [Fact]
    public void Json_Prints_The_Cpu_Its_Peak_Each_Product_And_One_Step_Per_Case_Dtype_And_Thread_Count()
    {
        (int exit, string output, string error) = Run("bench", "--quick", "--json", "--dtype", "float32", "--threads", "1", "--batch", "4");
        exit.ShouldBe(0, error);
        JsonNode result = JsonNode.Parse(output)!;
        result["cpu"]!.GetValue<string>().ShouldBe(Machine.Cpu);
        result["family"]!.GetValue<string>().ShouldBe(Machine.Family);
        JsonArray peaks = result["peaks"]!.AsArray();
        peaks.Count.ShouldBe(1);
        double peak = peaks[0]!["gflops"]!.GetValue<double>();
        peak.ShouldBeGreaterThan(0);

        JsonArray products = result["products"]!.AsArray();
        products.Select(p => p!["product"]!.GetValue<string>()).ShouldBe(SpeedCases.Products.Select(p => p.Name));
        foreach (JsonNode? product in products)
        {
            product!["threads"]!.GetValue<int>().ShouldBe(1);
            double micros = product["micros"]!.GetValue<double>(), gflops = product["gflops"]!.GetValue<double>();
            micros.ShouldBeGreaterThan(0);
            product["ofPeak"]!.GetValue<double>().ShouldBe(gflops / peak);
        }

        JsonArray rows = result["steps"]!.AsArray();
        rows.Count.ShouldBe(3);
        foreach (JsonNode? row in rows)
        {
            row!["threads"]!.GetValue<int>().ShouldBe(1);
            row["dtype"]!.GetValue<string>().ShouldBe("float32");
            row["coreMicros"]!.GetValue<double>().ShouldBeGreaterThan(0);
            row["torchMicros"]!.GetValue<double>().ShouldBeGreaterThan(0);
            row["coreOverTorch"]!.GetValue<double>().ShouldBe(row["coreMicros"]!.GetValue<double>() / row["torchMicros"]!.GetValue<double>());
            row["gflops"]!.GetValue<double>().ShouldBeGreaterThan(0);
            row["ofPeak"]!.GetValue<double>().ShouldBe(row["gflops"]!.GetValue<double>() / peak);
        }

        rows.Select(r => r!["case"]!.GetValue<string>()).ShouldBe(["2-3-2-1 b2", "32-64-64-1 b16", "784-256-128-10 b64"]);
    }

    [Fact]
    public void The_Products_Are_The_Mnist_Size_Steps_Forward_Weight_Gradient_And_Input_Gradient()
    {
        // 784-256-128-10, batch 64: layer 1's Z = A·Wᵀ and dW = dZᵀ·A, layer 2's dA = dZ·W.
        SpeedCases.Products.Select(p => (p.Form, p.M, p.K, p.N)).ShouldBe(
        [
            (ProductForm.TransposedB, 64, 784, 256),
            (ProductForm.TransposedA, 256, 64, 784),
            (ProductForm.Plain, 64, 256, 128),
        ]);
    }

    [Theory]
    [InlineData("--threads", "0", "--threads: every thread count must be a whole number from 1 to ")]
    [InlineData("--threads", "1,x", "got \"x\"")]
    [InlineData("--threads", "2147483647", "got \"2147483647\"")]
    [InlineData("--threads", "1000", "got \"1000\"")]
    [InlineData("--threads", "1,1,1,1,1,1,1,1,1", "--threads: 9 thread counts are more than the limit of 8")]
    [InlineData("--batch", "0", "--batch must be from 1 to 1024, got 0")]
    [InlineData("--batch", "1025", "--batch must be from 1 to 1024, got 1025")]
    public void A_Bad_Configuration_Exits_2_With_A_Message(string option, string value, string message)
    {
        (int exit, string output, string error) = Run("bench", "--quick", option, value);
        exit.ShouldBe(2);
        error.ShouldContain(message);
        output.ShouldBeEmpty();
    }
}
