using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// An activation A = g(Z) on a batch (one sample per row) with its backward rule, the
/// vector-Jacobian product dZ = dA·∂A/∂Z, beside it. Each one computes exactly what the PyTorch
/// function of the same name computes, kinks included.
/// </summary>
public abstract class Activation
{
    /// <summary>The name used in fixtures and on the command line (PyTorch's functional name).</summary>
    public abstract string Name { get; }

    /// <summary>A = g(Z) for a batch whose samples lie along <paramref name="samples"/>.</summary>
    public abstract void Forward<T>(Matrix<T> z, Matrix<T> a, SampleAxis samples)
        where T : IFloatingPointIeee754<T>;

    /// <summary>
    /// dZ from dA. Both Z and A = g(Z) are passed, because PyTorch's backward formulas use
    /// whichever is cheaper (sigmoid and ReLU use the output A), and matching them matters at kinks.
    /// </summary>
    public abstract void Backward<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ, SampleAxis samples)
        where T : IFloatingPointIeee754<T>;

    /// <summary>The name with any parameters that differ from PyTorch's defaults.</summary>
    public override string ToString() => Name;

    /// <summary>Every activation the core knows, by name, with PyTorch's default parameters.</summary>
    public static IReadOnlyDictionary<string, Activation> ByName { get; } = new Dictionary<string, Activation>
    {
        [Identity.Instance.Name] = Identity.Instance,
        [Relu.Instance.Name] = Relu.Instance,
        [LeakyRelu.Default.Name] = LeakyRelu.Default,
        [Sigmoid.Instance.Name] = Sigmoid.Instance,
        [Tanh.Instance.Name] = Tanh.Instance,
        [Softmax.Instance.Name] = Softmax.Instance,
        [Gelu.Exact.Name] = Gelu.Exact,
        [Softplus.Default.Name] = Softplus.Default,
        [Elu.Default.Name] = Elu.Default,
    };

    protected static void CheckShapes<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ)
        where T : INumberBase<T>
    {
        if (a.Rows != z.Rows || a.Cols != z.Cols || dA.Rows != z.Rows || dA.Cols != z.Cols || dZ.Rows != z.Rows || dZ.Cols != z.Cols)
        {
            throw new ArgumentException($"Z, A, dA and dZ must have the same shape, but are {z.Shape}, {a.Shape}, {dA.Shape} and {dZ.Shape}");
        }
    }
}

/// <summary>An activation that acts on each element alone, so its Jacobian is diagonal.</summary>
public abstract class ElementwiseActivation : Activation
{
    public sealed override void Forward<T>(Matrix<T> z, Matrix<T> a, SampleAxis samples)
    {
        CheckShapes(z, a, a, a);
        Forward<T>(z.Data, a.Data);
    }

    public sealed override void Backward<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ, SampleAxis samples)
    {
        CheckShapes(z, a, dA, dZ);
        Backward<T>(z.Data, a.Data, dA.Data, dZ.Data);
    }

    /// <summary>A = g(Z), element by element.</summary>
    public abstract void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : IFloatingPointIeee754<T>;

    /// <summary>dZ = dA ⊙ g'(Z), element by element.</summary>
    public abstract void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
        where T : IFloatingPointIeee754<T>;

    protected static void CheckLengths(int z, int a, int dA, int dZ)
    {
        if (a != z || dA != z || dZ != z)
        {
            throw new ArgumentException($"Z, A, dA and dZ must have the same length, but have {z}, {a}, {dA} and {dZ}");
        }
    }
}
