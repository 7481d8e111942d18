namespace BeyondNll.Search.Samplers.Tpe;

/// <summary>
/// The standard normal's probability mass over an interval, in log space, and draws from a
/// normal truncated to an interval: what the Parzen estimators need to keep every kernel inside
/// the parameter's bounds. Works in the tails too (a kernel far from a bound, an integer far from
/// a kernel's centre) by never subtracting two probabilities close to 1.
/// </summary>
public static class GaussianMass
{
    /// <summary>log √(2π): the normaliser of the standard normal density.</summary>
    public const double LogSqrt2Pi = 0.91893853320467274178;

    const double Sqrt1_2 = 0.70710678118654752440;

    /// <summary>log of the standard normal density at x.</summary>
    public static double LogDensity(double x) => -0.5 * x * x - LogSqrt2Pi;

    /// <summary>
    /// log erfc(z) for z ≥ 0, from the classic Chebyshev-fitted form erfc(z) = t·exp(-z² + P(t)),
    /// t = 1/(1 + z/2), whose relative error is below 1.2e-7 everywhere: ample for comparing
    /// densities, and in log form it never underflows however far out z is.
    /// </summary>
    static double LogErfc(double z)
    {
        var t = 1.0 / (1.0 + 0.5 * z);
        var poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        return Math.Log(t) - z * z + poly;
    }

    /// <summary>log Φ(x), Φ the standard normal distribution function; accurate for x far below 0.</summary>
    public static double LogCdf(double x) => x < 0
        ? LogErfc(-x * Sqrt1_2) - Math.Log(2.0)
        : Math.Log(1.0 - 0.5 * Math.Exp(LogErfc(x * Sqrt1_2)));

    /// <summary>Φ(x).</summary>
    public static double Cdf(double x) => x < 0
        ? 0.5 * Math.Exp(LogErfc(-x * Sqrt1_2))
        : 1.0 - 0.5 * Math.Exp(LogErfc(x * Sqrt1_2));

    /// <summary>log(Φ(b) − Φ(a)) for a &lt; b: the log mass of the standard normal on [a, b].</summary>
    public static double LogMass(double a, double b)
    {
        var mid = 0.5 * (a + b);
        var width = b - a;
        if (width * Math.Max(1.0, Math.Abs(mid)) < 1e-3)
        {
            // A narrow interval: the midpoint rule with its curvature term is more exact than
            // the difference of two nearly equal probabilities.
            return Math.Log(width) + LogDensity(mid) + double.LogP1(width * width * (mid * mid - 1) / 24.0);
        }
        if (a > 0)
            return LogMass(-b, -a); // mirror the right tail into the left one, where log Φ is exact
        if (b <= 0)
        {
            var logB = LogCdf(b);
            return logB + double.LogP1(-Math.Exp(LogCdf(a) - logB));
        }
        // a < 0 < b: the two tails left out are each below one half.
        return double.LogP1(-(Cdf(a) + Cdf(-b)));
    }

    /// <summary>
    /// A draw from N(mu, sigma²) truncated to [low, high], by rejection. The samplers keep mu inside
    /// the interval and sigma at most its width, so at least a third of the draws land inside and
    /// rejection is both exact and cheap; the clamp after many misses is a guard, never the rule.
    /// </summary>
    public static double SampleTruncated(SeededRandom rng, double mu, double sigma, double low, double high)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var x = mu + sigma * rng.NextGaussian();
            if (x >= low && x <= high)
                return x;
        }
        return Math.Clamp(mu, low, high);
    }
}
