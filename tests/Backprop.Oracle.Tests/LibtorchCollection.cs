namespace Backprop.Oracle.Tests;

/// <summary>Every test that calls libtorch runs in this one collection, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LibtorchCollection
{
    public const string Name = "libtorch";
}
