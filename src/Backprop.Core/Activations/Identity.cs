using System.Numerics;

namespace Backprop.Core.Activations;

/// <summary>g(z) = z, g'(z) = 1. Thread-safe: immutable.</summary>
public sealed class Identity : ElementwiseActivation
{
    public static Identity Instance { get; } = new();

    public static Kind<Activation> Kind { get; } = new(Instance, _ => Instance);

    private Identity()
    {
    }

    public override string Name => "identity";

    public override double Derivative(double z, double a) => 1;

    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a)
    {
        CheckLengths(z.Length, a.Length, z.Length, z.Length);
        z.CopyTo(a);
    }

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> dA, Span<T> dZ)
    {
        CheckLengths(z.Length, a.Length, dA.Length, dZ.Length);
        dA.CopyTo(dZ);
    }
}
