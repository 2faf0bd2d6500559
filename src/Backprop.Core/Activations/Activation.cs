using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// An element-wise activation A = g(Z) with its backward rule dZ = dA ⊙ g'(Z) beside it.
/// Each one computes exactly what the PyTorch function of the same name computes, kinks included.
/// </summary>
public abstract class Activation
{
    /// <summary>The name used in fixtures and on the command line (PyTorch's functional name).</summary>
    public abstract string Name { get; }

    /// <summary>A = g(Z), element by element.</summary>
    public abstract void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
        where T : IFloatingPointIeee754<T>;

    /// <summary>
    /// dZ = dA ⊙ g'(Z). Both Z and A = g(Z) are passed, because PyTorch's backward formulas use
    /// whichever is cheaper (sigmoid and ReLU use the output A), and matching them matters at kinks.
    /// </summary>
    public abstract void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
        where T : IFloatingPointIeee754<T>;

    public override string ToString() => Name;

    /// <summary>Every activation the core knows, by name.</summary>
    public static IReadOnlyDictionary<string, Activation> ByName { get; } = new Dictionary<string, Activation>
    {
        [Identity.Instance.Name] = Identity.Instance,
        [Relu.Instance.Name] = Relu.Instance,
        [Sigmoid.Instance.Name] = Sigmoid.Instance,
    };

    protected static void CheckLengths(int z, int a, int dA, int dZ)
    {
        if (a != z || dA != z || dZ != z)
        {
            throw new ArgumentException($"Z, A, dA and dZ must have the same length, but have {z}, {a}, {dA} and {dZ}");
        }
    }
}
