using System.Numerics;

namespace Backprop.Core.Kernels;

/// <summary>Scalar functions the BCL lacks or computes less accurately than C's libm.</summary>
public static class ScalarMath
{
    /// <summary>
    /// log(1 + x), accurate for small |x| (the BCL's LogP1 is log(x + 1), which loses the low
    /// bits of x). Kahan's formula: with u = 1 + x, log(u) · x / (u − 1) cancels the rounding of u.
    /// float goes through double, so its result is the correctly rounded one in all but rare ties.
    /// </summary>
    public static T Log1P<T>(T x)
        where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return T.CreateTruncating(Log1P(double.CreateTruncating(x)));
        }

        T u = T.One + x;
        if (u == T.One)
        {
            return x;
        }

        if (T.IsPositiveInfinity(u))
        {
            return u;
        }

        return T.Log(u) * (x / (u - T.One));
    }
}
