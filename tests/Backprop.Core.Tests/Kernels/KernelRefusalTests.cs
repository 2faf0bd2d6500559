using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

/// <summary>
/// Every public kernel checks its sizes before it touches memory: negative sizes by name (even
/// where every length is 0 and the product would agree), and each buffer's length with both numbers.
/// </summary>
public class KernelRefusalTests
{
    private delegate void Product(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n, KernelOptions options);

    private static readonly Dictionary<string, Product> Products = new()
    {
        ["Multiply"] = Gemm.Multiply,
        ["MultiplyTransposedA"] = Gemm.MultiplyTransposedA,
        ["MultiplyTransposedB"] = Gemm.MultiplyTransposedB,
    };

    public static TheoryData<string> ProductNames => new(Products.Keys);

    [Theory]
    [MemberData(nameof(ProductNames))]
    public void Every_Product_Refuses_Negative_Sizes_By_Name(string name)
    {
        Product product = Products[name];
        foreach ((int m, int k, int n, string param) in new[] { (-1, 0, 0, "m"), (0, -1, 0, "k"), (0, 0, -1, "n") })
        {
            Exception e = Should.Throw<Exception>(() => product([], [], [], m, k, n, KernelOptions.Default));
            e.ShouldBeOfType<ArgumentOutOfRangeException>().ParamName.ShouldBe(param);
        }
    }

    [Theory]
    [MemberData(nameof(ProductNames))]
    public void Every_Product_Refuses_Each_Buffer_Of_The_Wrong_Length(string name)
    {
        Product product = Products[name];
        ArgumentException Refusal(int a, int b, int c) => Should.Throw<ArgumentException>(() => product(new double[a], new double[b], new double[c], 2, 3, 4, KernelOptions.Default));

        ArgumentException e = Refusal(5, 12, 8);
        (e.ParamName, e.Message).ShouldBe(("a", "A must hold m·k = 2·3 = 6 elements, but holds 5 (Parameter 'a')"));
        e = Refusal(6, 13, 8);
        (e.ParamName, e.Message).ShouldBe(("b", "B must hold k·n = 3·4 = 12 elements, but holds 13 (Parameter 'b')"));
        e = Refusal(6, 12, 9);
        (e.ParamName, e.Message).ShouldBe(("c", "C must hold m·n = 2·4 = 8 elements, but holds 9 (Parameter 'c')"));
    }

    private delegate void RowOp(double[] x, double[] v, int m, int n);

    private static readonly Dictionary<string, (RowOp Op, bool PerRow)> RowOpsByName = new()
    {
        ["AddToEveryRow"] = ((x, v, m, n) => RowOps.AddToEveryRow<double>(x, v, m, n, KernelOptions.Default), false),
        ["ColumnSums"] = ((x, v, m, n) => RowOps.ColumnSums<double>(x, v, m, n, KernelOptions.Default), false),
        ["AddToEveryColumn"] = ((x, v, m, n) => RowOps.AddToEveryColumn<double>(x, v, m, n, KernelOptions.Default), true),
        ["RowSums"] = ((x, v, m, n) => RowOps.RowSums<double>(x, v, m, n), true),
    };

    public static TheoryData<string> RowOpNames => new(RowOpsByName.Keys);

    [Theory]
    [MemberData(nameof(RowOpNames))]
    public void Every_Row_Operation_Refuses_Negative_Sizes_And_Wrong_Lengths(string name)
    {
        (RowOp op, bool perRow) = RowOpsByName[name];
        Should.Throw<Exception>(() => op([], [], -1, 0)).ShouldBeOfType<ArgumentOutOfRangeException>().ParamName.ShouldBe("m");
        Should.Throw<Exception>(() => op([], [], 0, -1)).ShouldBeOfType<ArgumentOutOfRangeException>().ParamName.ShouldBe("n");

        ArgumentException e = Should.Throw<ArgumentException>(() => op(new double[5], new double[perRow ? 2 : 3], 2, 3));
        (e.ParamName, e.Message).ShouldBe(("x", "the matrix must hold m·n = 2·3 = 6 elements, but holds 5 (Parameter 'x')"));

        string vector = name.EndsWith("Sums", StringComparison.Ordinal) ? "sums" : "v";
        e = Should.Throw<ArgumentException>(() => op(new double[6], new double[perRow ? 3 : 2], 2, 3));
        (e.ParamName, e.Message).ShouldBe((vector, perRow
            ? $"{vector} must hold m = 2 elements, one per row, but holds 3 (Parameter '{vector}')"
            : $"{vector} must hold n = 3 elements, but holds 2 (Parameter '{vector}')"));
    }
}
