namespace Backprop.Core;

/// <summary>The floating-point type a case runs in; fixtures name it "float32" or "float64". Thread-safe: a value.</summary>
public enum DType
{
    Float32,
    Float64,
}

/// <summary>DType names as fixtures write them, and the dtype of a .NET type. Thread-safe: it holds no state.</summary>
public static class DTypeNames
{
    /// <summary>The dtype <typeparamref name="T"/> computes in: float is float32, anything else float64.</summary>
    public static DType Of<T>() => typeof(T) == typeof(float) ? DType.Float32 : DType.Float64;

    /// <summary>The largest finite value of the dtype.</summary>
    public static double MaxFinite(this DType dtype) => dtype == DType.Float32 ? float.MaxValue : double.MaxValue;

    public static string ToName(this DType dtype) => dtype == DType.Float32 ? "float32" : "float64";

    public static bool TryParse(string? name, out DType dtype)
    {
        (bool ok, dtype) = name switch
        {
            "float32" => (true, DType.Float32),
            "float64" => (true, DType.Float64),
            _ => (false, default),
        };
        return ok;
    }
}
