using System.Numerics;

namespace Backprop.Core.Kernels;

/// <summary>Scalar functions the BCL lacks or computes less accurately than C's libm. Thread-safe: it holds no state.</summary>
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

    /// <summary>
    /// e^x − 1, accurate for small |x| (the BCL's ExpM1 is Exp(x) − 1, which loses every digit of
    /// x below the rounding of e^x, and turns −0 into +0). Kahan's formula: with u = e^x,
    /// (u − 1) · x / log(u) cancels the rounding of u. float goes through double.
    /// </summary>
    public static T ExpM1<T>(T x)
        where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return T.CreateTruncating(ExpM1(double.CreateTruncating(x)));
        }

        T u = T.Exp(x);
        if (u == T.One)
        {
            return x;
        }

        T um1 = u - T.One;
        if (um1 == -T.One || T.IsPositiveInfinity(u))
        {
            return um1;
        }

        return um1 * (x / T.Log(u));
    }

    /// <summary>
    /// The error function erf(x), for GELU. The BCL has none; this is fdlibm's algorithm (the one
    /// glibc's erf descends from): rational approximations on [0, 0.84375), [0.84375, 1.25) and
    /// erfc's on [1.25, 6), and ±1 beyond, accurate to about one ulp. float goes through double.
    /// </summary>
    public static T Erf<T>(T x)
        where T : IFloatingPointIeee754<T>
        => T.CreateTruncating(Erf(double.CreateTruncating(x)));

    private static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (double.IsInfinity(x))
        {
            return x > 0 ? 1 : -1;
        }

        long bits = BitConverter.DoubleToInt64Bits(x);
        int hx = (int)(bits >> 32);
        int ix = hx & 0x7fffffff;
        if (ix < 0x3feb0000)
        {
            // |x| < 0.84375
            if (ix < 0x3e300000)
            {
                // |x| < 2⁻²⁸: erf(x) ≈ x + x·(2/√π − 1); scaled below 2⁻¹⁰²² to avoid underflow.
                return ix < 0x00800000 ? 0.125 * ((8.0 * x) + (Efx8 * x)) : x + (Efx * x);
            }

            double z = x * x;
            double r = Pp0 + (z * (Pp1 + (z * (Pp2 + (z * (Pp3 + (z * Pp4)))))));
            double s = 1 + (z * (Qq1 + (z * (Qq2 + (z * (Qq3 + (z * (Qq4 + (z * Qq5)))))))));
            return x + (x * (r / s));
        }

        if (ix < 0x3ff40000)
        {
            // 0.84375 ≤ |x| < 1.25
            double s = Math.Abs(x) - 1;
            double p = Pa0 + (s * (Pa1 + (s * (Pa2 + (s * (Pa3 + (s * (Pa4 + (s * (Pa5 + (s * Pa6)))))))))));
            double q = 1 + (s * (Qa1 + (s * (Qa2 + (s * (Qa3 + (s * (Qa4 + (s * (Qa5 + (s * Qa6)))))))))));
            return hx >= 0 ? Erx + (p / q) : -Erx - (p / q);
        }

        if (ix >= 0x40180000)
        {
            // |x| ≥ 6: erf(x) = ±1 to double precision.
            return hx >= 0 ? 1 - Tiny : Tiny - 1;
        }

        double ax = Math.Abs(x);
        double t = 1 / (ax * ax);
        double rr, ss;
        if (ix < 0x4006DB6E)
        {
            // |x| < 1/0.35
            rr = Ra0 + (t * (Ra1 + (t * (Ra2 + (t * (Ra3 + (t * (Ra4 + (t * (Ra5 + (t * (Ra6 + (t * Ra7)))))))))))));
            ss = 1 + (t * (Sa1 + (t * (Sa2 + (t * (Sa3 + (t * (Sa4 + (t * (Sa5 + (t * (Sa6 + (t * (Sa7 + (t * Sa8)))))))))))))));
        }
        else
        {
            rr = Rb0 + (t * (Rb1 + (t * (Rb2 + (t * (Rb3 + (t * (Rb4 + (t * (Rb5 + (t * Rb6)))))))))));
            ss = 1 + (t * (Sb1 + (t * (Sb2 + (t * (Sb3 + (t * (Sb4 + (t * (Sb5 + (t * (Sb6 + (t * Sb7)))))))))))));
        }

        // erfc(|x|) = exp(−x² − 0.5625 + R/S)/|x|, with x² split exactly through zh, |x| with its low word cleared.
        double zh = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(ax) & unchecked((long)0xFFFFFFFF00000000));
        double erfc = Math.Exp((-zh * zh) - 0.5625) * Math.Exp(((zh - ax) * (zh + ax)) + (rr / ss)) / ax;
        return hx >= 0 ? 1 - erfc : erfc - 1;
    }

    private const double Tiny = 1e-300;
    private const double Erx = 8.45062911510467529297e-01;
    private const double Efx = 1.28379167095512586316e-01;
    private const double Efx8 = 1.02703333676410069053e+00;
    private const double Pp0 = 1.28379167095512558561e-01;
    private const double Pp1 = -3.25042107247001499370e-01;
    private const double Pp2 = -2.84817495755985104766e-02;
    private const double Pp3 = -5.77027029648944159157e-03;
    private const double Pp4 = -2.37630166566501626084e-05;
    private const double Qq1 = 3.97917223959155352819e-01;
    private const double Qq2 = 6.50222499887672944485e-02;
    private const double Qq3 = 5.08130628187576562776e-03;
    private const double Qq4 = 1.32494738004321644526e-04;
    private const double Qq5 = -3.96022827877536812320e-06;
    private const double Pa0 = -2.36211856075265944077e-03;
    private const double Pa1 = 4.14856118683748331666e-01;
    private const double Pa2 = -3.72207876035701323847e-01;
    private const double Pa3 = 3.18346619901161753674e-01;
    private const double Pa4 = -1.10894694282396677476e-01;
    private const double Pa5 = 3.54783043256182359371e-02;
    private const double Pa6 = -2.16637559486879084300e-03;
    private const double Qa1 = 1.06420880400844228286e-01;
    private const double Qa2 = 5.40397917702171048937e-01;
    private const double Qa3 = 7.18286544141962662868e-02;
    private const double Qa4 = 1.26171219808761642112e-01;
    private const double Qa5 = 1.36370839120290507362e-02;
    private const double Qa6 = 1.19844998467991074170e-02;
    private const double Ra0 = -9.86494403484714822705e-03;
    private const double Ra1 = -6.93858572707181764372e-01;
    private const double Ra2 = -1.05586262253232909814e+01;
    private const double Ra3 = -6.23753324503260060396e+01;
    private const double Ra4 = -1.62396669462573470355e+02;
    private const double Ra5 = -1.84605092906711035994e+02;
    private const double Ra6 = -8.12874355063065934246e+01;
    private const double Ra7 = -9.81432934416914548592e+00;
    private const double Sa1 = 1.96512716674392571292e+01;
    private const double Sa2 = 1.37657754143519042600e+02;
    private const double Sa3 = 4.34565877475229228821e+02;
    private const double Sa4 = 6.45387271733267880336e+02;
    private const double Sa5 = 4.29008140027567833386e+02;
    private const double Sa6 = 1.08635005541779435134e+02;
    private const double Sa7 = 6.57024977031928170135e+00;
    private const double Sa8 = -6.04244152148580987438e-02;
    private const double Rb0 = -9.86494292470009928597e-03;
    private const double Rb1 = -7.99283237680523006574e-01;
    private const double Rb2 = -1.77579549177547519889e+01;
    private const double Rb3 = -1.60636384855821916062e+02;
    private const double Rb4 = -6.37566443368389627722e+02;
    private const double Rb5 = -1.02509513161107724954e+03;
    private const double Rb6 = -4.83519191608651397019e+02;
    private const double Sb1 = 3.03380607434824582924e+01;
    private const double Sb2 = 3.25792512996573918826e+02;
    private const double Sb3 = 1.53672958608443695994e+03;
    private const double Sb4 = 3.19985821950859553908e+03;
    private const double Sb5 = 2.55305040643316442583e+03;
    private const double Sb6 = 4.74528541206955367215e+02;
    private const double Sb7 = -2.24409524465858183362e+01;
}
