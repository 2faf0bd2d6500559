namespace Backprop.Core;

/// <summary>A setting of an activation, loss or optimizer that PyTorch would refuse, named so a reader can point at it. Thread-safe: immutable.</summary>
public sealed class SettingException(string setting, string message) : ArgumentException(message)
{
    /// <summary>The setting's PyTorch name, as in a fixture (<c>approximate</c>).</summary>
    public string Setting { get; } = setting;
}
