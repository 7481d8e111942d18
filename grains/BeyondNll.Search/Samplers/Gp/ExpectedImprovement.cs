using MathNet.Numerics;

namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// The logarithm of expected improvement below the best value so far, for a normal posterior
/// N(μ, σ²): EI = σ·h(z), z = (best − μ)/σ, h(z) = φ(z) + z·Φ(z). In log form because far from
/// the best, EI underflows long before candidates stop differing: there its logarithm still ranks
/// them, which is what lets the search climb out of flat regions (Ament et al. 2023, "Unexpected
/// improvements to expected improvement", whose point this follows).
/// </summary>
public static class ExpectedImprovement
{
    const double LogSqrt2Pi = 0.91893853320467274178;

    /// <summary>log EI of minimising; <paramref name="variance"/> is σ², at least a tiny floor.</summary>
    public static double Log(double mean, double variance, double best)
    {
        var sigma = Math.Sqrt(variance);
        return Math.Log(sigma) + LogH((best - mean) / sigma);
    }

    /// <summary>log h(z), accurate for any z: directly while φ and zΦ do not cancel badly, an asymptotic series beyond.</summary>
    public static double LogH(double z)
    {
        if (z > -25)
        {
            var cdf = 0.5 * SpecialFunctions.Erfc(-z / Math.Sqrt(2));
            var h = Math.Exp(-0.5 * z * z - LogSqrt2Pi) + z * cdf;
            if (h > 0)
                return Math.Log(h);
        }
        // h(z) = φ(z)·(1/t² − 3/t⁴ + 15/t⁶ − 105/t⁸ + …), t = −z: the expansion of 1 − t·Φ(−t)/φ(t).
        var inv2 = 1.0 / (z * z);
        var series = inv2 * (1 - inv2 * (3 - inv2 * (15 - inv2 * 105)));
        return -0.5 * z * z - LogSqrt2Pi + Math.Log(series);
    }
}
