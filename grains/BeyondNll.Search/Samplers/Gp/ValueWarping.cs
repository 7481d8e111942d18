using MathNet.Numerics.Distributions;

namespace BeyondNll.Search.Samplers.Gp;

/// <summary>How observed values are reshaped before the GP models them (smaller stays better).</summary>
public enum ValueWarp
{
    /// <summary>Standardised only (mean 0, variance 1).</summary>
    None,

    /// <summary>Yeo–Johnson power transform with the exponent of best normal fit, then standardised (as HEBO does).</summary>
    YeoJohnson,

    /// <summary>Normal scores of the ranks: Φ⁻¹((rank + ½)/n).</summary>
    Rank,
}

/// <summary>
/// Objectives of a search are rarely Gaussian: a few diverged or bad trials sit far above a dense
/// cluster of good ones, and a GP fitted to the raw values spends its variance on the outliers and
/// models the good region as flat. An order-preserving transform first makes the values look
/// normal; the acquisition then compares candidates in the transformed scale, which only has to
/// keep the order of the values, not their distances.
/// </summary>
public static class ValueWarping
{
    public static double[] Apply(ValueWarp warp, IReadOnlyList<double> values) => warp switch
    {
        ValueWarp.YeoJohnson => Standardise(YeoJohnson(Standardise(values.ToArray()), 4.0)),
        ValueWarp.Rank => RankScores(values),
        _ => Standardise(values.ToArray()),
    };

    /// <summary>Mean 0 and variance 1; all-equal values become zeros.</summary>
    public static double[] Standardise(double[] values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        var sd = variance > 1e-300 ? Math.Sqrt(variance) : 1.0;
        return values.Select(v => (v - mean) / sd).ToArray();
    }

    static double[] RankScores(IReadOnlyList<double> values)
    {
        var n = values.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ThenBy(i => i).ToArray();
        var scores = new double[n];
        for (var r = 0; r < n; )
        {
            // Ties share the mean of their ranks.
            var end = r;
            while (end + 1 < n && values[order[end + 1]] == values[order[r]]) end++;
            var score = Normal.InvCDF(0, 1, (0.5 * (r + end) + 0.5) / n);
            for (var k = r; k <= end; k++) scores[order[k]] = score;
            r = end + 1;
        }
        return Standardise(scores);
    }

    /// <summary>The Yeo–Johnson transform with λ in [−2, 4] maximising the normal log-likelihood (a grid, then its neighbourhood).</summary>
    static double[] YeoJohnson(double[] values, double maxLambda)
    {
        double bestLambda = 1, bestLikelihood = double.NegativeInfinity;
        for (var lambda = -2.0; lambda <= maxLambda + 1e-9; lambda += 0.05)
        {
            var likelihood = LogLikelihood(values, lambda);
            if (likelihood > bestLikelihood)
                (bestLambda, bestLikelihood) = (lambda, likelihood);
        }
        return values.Select(v => Transform(v, bestLambda)).ToArray();
    }

    static double LogLikelihood(double[] values, double lambda)
    {
        var transformed = values.Select(v => Transform(v, lambda)).ToArray();
        var mean = transformed.Average();
        var variance = transformed.Sum(t => (t - mean) * (t - mean)) / values.Length;
        if (!(variance > 1e-300) || !double.IsFinite(variance))
            return double.NegativeInfinity;
        var jacobian = values.Sum(v => Math.Sign(v) * Math.Log(Math.Abs(v) + 1));
        return -0.5 * values.Length * Math.Log(variance) + (lambda - 1) * jacobian;
    }

    static double Transform(double y, double lambda)
    {
        if (y >= 0)
            return Math.Abs(lambda) < 1e-9 ? Math.Log(y + 1) : (Math.Pow(y + 1, lambda) - 1) / lambda;
        return Math.Abs(lambda - 2) < 1e-9 ? -Math.Log(1 - y) : -(Math.Pow(1 - y, 2 - lambda) - 1) / (2 - lambda);
    }
}
