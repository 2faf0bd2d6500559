namespace Backprop.Core;

/// <summary>The floating-point type a case runs in; fixtures name it "float32" or "float64".</summary>
public enum DType
{
    Float32,
    Float64,
}

public static class DTypeNames
{
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
