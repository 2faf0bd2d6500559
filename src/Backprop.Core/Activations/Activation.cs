using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>
/// An activation A = g(Z) on a batch (one sample per row) with its backward rule, the
/// vector-Jacobian product dZ = dA·∂A/∂Z, beside it. Each one computes exactly what the PyTorch
/// function of the same name computes, kinks included.
/// Thread-safe: an activation holds only its settings, which never change.
/// </summary>
public abstract class Activation : IVocabularyItem
{
    /// <summary>The name used in fixtures and on the command line (PyTorch's functional name).</summary>
    public abstract string Name { get; }

    /// <summary>PyTorch's keyword arguments, with this instance's values; empty when it takes none.</summary>
    public virtual IReadOnlyList<Setting> Settings => [];

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

    protected static void CheckShapes<T>(Matrix<T> z, Matrix<T> a, Matrix<T> dA, Matrix<T> dZ)
        where T : INumberBase<T>
    {
        if (a.Rows != z.Rows || a.Cols != z.Cols || dA.Rows != z.Rows || dA.Cols != z.Cols || dZ.Rows != z.Rows || dZ.Cols != z.Cols)
        {
            throw new ArgumentException($"Z, A, dA and dZ must have the same shape, but are {z.Shape}, {a.Shape}, {dA.Shape} and {dZ.Shape}");
        }
    }
}

/// <summary>An activation that acts on each element alone, so its Jacobian is diagonal. Thread-safe: an activation holds only its settings, which never change.</summary>
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

    /// <summary>
    /// g'(z) from z and a = g(z), in double, written as the textbook formula: the diagonal of
    /// ∂A/∂Z that the Jacobian witness builds, a second derivation beside the kernel in
    /// <see cref="Backward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T})"/>, not a call to it.
    /// </summary>
    public abstract double Derivative(double z, double a);

    /// <summary>
    /// Which piece of a piecewise g the pre-activation z falls in (relu: z &gt; 0), or null where g
    /// is one smooth formula. Rounding can put a z on different sides of a boundary in two runs.
    /// </summary>
    public virtual bool? Piece(double z) => null;

    /// <summary>True where z sits exactly on a kink, where PyTorch's convention picks the derivative (relu at 0).</summary>
    public virtual bool IsKink(double z) => false;

    protected static void CheckLengths(int z, int a, int dA, int dZ)
    {
        if (a != z || dA != z || dZ != z)
        {
            throw new ArgumentException($"Z, A, dA and dZ must have the same length, but have {z}, {a}, {dA} and {dZ}");
        }
    }
}
