using Backprop.Core.Activations;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Core;

/// <summary>
/// One setting of an activation, loss or optimizer, named as PyTorch names the keyword argument.
/// Its value is a number (<see cref="double"/>), a flag (<see cref="bool"/>), a word
/// (<see cref="string"/>: gelu's approximate, a loss's reduction) or a pair of numbers
/// (<see cref="T:double[]"/>: Adam's betas).
/// Thread-safe: immutable.
/// </summary>
public sealed record Setting(string Name, object Value)
{
    /// <summary>True when <paramref name="other"/> holds the same value (pairs compared element by element).</summary>
    public bool SameValue(Setting other) => Value is double[] pair && other.Value is double[] otherPair
        ? pair.SequenceEqual(otherPair)
        : Value.Equals(other.Value);
}

/// <summary>Settings by name, each already of its default's type, for a <see cref="Kind{T}"/> to make an instance from. Thread-safe to read: it only reads the dictionary it was given.</summary>
public sealed class Settings(IReadOnlyDictionary<string, object> values)
{
    public double Number(string name) => (double)values[name];

    public bool Flag(string name) => (bool)values[name];

    public string Word(string name) => (string)values[name];

    public double[] Pair(string name) => (double[])values[name];
}

/// <summary>An activation, loss or optimizer: a PyTorch name and its settings. Implementations are immutable, and so thread-safe: one instance serves every network.</summary>
public interface IVocabularyItem
{
    /// <summary>The name used in fixtures and on the command line (PyTorch's).</summary>
    string Name { get; }

    /// <summary>Every setting, with this instance's values, in PyTorch's order; empty when it has none.</summary>
    IReadOnlyList<Setting> Settings { get; }
}

/// <summary>
/// One kind of activation, loss or optimizer, declared once in its own file: its PyTorch name and
/// settings with PyTorch's defaults (<see cref="Default"/>'s), how to make an instance from
/// settings, and the instances random cases draw (the default first). The fixture reader and
/// writer, the random cases, the command line and the oracle all go through <see cref="Vocabulary"/>.
/// Thread-safe: immutable.
/// </summary>
public sealed class Kind<T>
    where T : class, IVocabularyItem
{
    private readonly Func<Settings, T> create;

    public Kind(T defaultInstance, Func<Settings, T> create, params T[] variants)
    {
        ArgumentNullException.ThrowIfNull(defaultInstance);
        Default = defaultInstance;
        this.create = create;
        Examples = [defaultInstance, .. variants];
    }

    public string Name => Default.Name;

    public T Default { get; }

    /// <summary>The settings with PyTorch's defaults.</summary>
    public IReadOnlyList<Setting> Defaults => Default.Settings;

    /// <summary>The default, then instances with other settings, for random cases to draw from.</summary>
    public IReadOnlyList<T> Examples { get; }

    /// <summary>
    /// An instance with the given settings, each defaulted where absent. Throws
    /// <see cref="ArgumentOutOfRangeException"/> (from the instance) for a value PyTorch refuses.
    /// </summary>
    public T Create(IReadOnlyDictionary<string, object> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        var values = Defaults.ToDictionary(s => s.Name, s => given.TryGetValue(s.Name, out object? v) ? v : s.Value);
        return create(new Settings(values));
    }
}

/// <summary>
/// Every activation, loss and optimizer the core knows, each declared once in its own file (its
/// <c>Kind</c>) and registered here. Adding one means its file, one line here, and one line in
/// the oracle's registration of libtorch counterparts.
/// Thread-safe: the lists are made once and never changed.
/// </summary>
public static class Vocabulary
{
    public static IReadOnlyList<Kind<Activation>> Activations { get; } =
    [
        Identity.Kind, Relu.Kind, LeakyRelu.Kind, Sigmoid.Kind, Tanh.Kind, Softmax.Kind, Gelu.Kind, Softplus.Kind, Elu.Kind, Silu.Kind,
    ];

    public static IReadOnlyList<Kind<Loss>> Losses { get; } =
    [
        BinaryCrossEntropy.Kind, BinaryCrossEntropyWithLogits.Kind, MseLoss.Kind, CrossEntropy.Kind,
    ];

    public static IReadOnlyList<Kind<OptimizerSpec>> Optimizers { get; } = [Sgd.Kind, Adam.Kind, AdamW.Kind];

    public static Kind<Activation>? Activation(string name) => Activations.FirstOrDefault(k => k.Name == name);

    public static Kind<Loss>? Loss(string name) => Losses.FirstOrDefault(k => k.Name == name);

    public static Kind<OptimizerSpec>? Optimizer(string name) => Optimizers.FirstOrDefault(k => k.Name == name);

    public static Kind<Activation> KindOf(Activation activation)
        => Activation(activation.Name) ?? throw new NotSupportedException($"activation \"{activation.Name}\" is not registered in Vocabulary");

    public static Kind<Loss> KindOf(Loss loss)
        => Loss(loss.Name) ?? throw new NotSupportedException($"loss \"{loss.Name}\" is not registered in Vocabulary");

    public static Kind<OptimizerSpec> KindOf(OptimizerSpec optimizer)
        => Optimizer(optimizer.Name) ?? throw new NotSupportedException($"optimizer \"{optimizer.Name}\" is not registered in Vocabulary");
}
