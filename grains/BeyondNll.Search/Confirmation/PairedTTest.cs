using MathNet.Numerics.Distributions;

namespace BeyondNll.Search.Confirmation;

/// <summary>
/// A paired comparison: the mean of the per-pair differences (a − b, one pair per training seed),
/// its standard error, Student's t on n − 1 degrees of freedom, the two-sided p and the 95%
/// confidence interval of the mean difference. Null where the test is undefined (see <see cref="PairedTTest"/>).
/// </summary>
public sealed record PairedComparison(int Pairs, double MeanDifference, double? StandardError, double? T, double? DegreesOfFreedom,
    double? PValue, double? CiLow, double? CiHigh)
{
    /// <summary>True when there were pairs enough and spread enough for a p.</summary>
    public bool Tested => PValue is not null;
}

/// <summary>
/// The paired t test of a confirmation. Both arms of a confirmation train on the same fresh seeds
/// (the same example order), so the differences seed by seed carry the comparison and the seed's
/// own luck cancels. Chosen over Wilcoxon's signed-rank test because confirmations are small: with
/// n = 3 seeds the signed-rank test's smallest two-sided p is 0.25, so it could never say "beyond
/// noise"; the t test can, at the price of assuming roughly normal differences.
/// </summary>
/// <remarks>
/// The rule for no spread: when every pair gives the same difference (every seed the same gain, or
/// both arms the same value on every seed: say 0 accuracy), the t statistic has no denominator. The
/// comparison is then reported untested — the mean difference stands, but p, t and the interval are
/// null and it is never called beyond noise — rather than given a p of 0 (or 1) that a handful of
/// seeds cannot support. Fewer than two pairs are untested too.
/// </remarks>
public static class PairedTTest
{
    /// <summary>The interval's coverage.</summary>
    public const double Confidence = 0.95;

    /// <summary>Differences whose standard deviation is at most this share of their size count as having no spread (float rounding).</summary>
    const double NoSpread = 1e-9;

    /// <exception cref="ArgumentException">No differences, or one that is not finite.</exception>
    public static PairedComparison Compare(IReadOnlyList<double> differences)
    {
        if (differences.Count == 0) throw new ArgumentException("a paired comparison needs at least one pair");
        if (differences.Any(d => !double.IsFinite(d))) throw new ArgumentException("differences must be finite");
        var n = differences.Count;
        var mean = differences.Average();
        if (n < 2) return new PairedComparison(n, mean, null, null, null, null, null, null);
        var sd = Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1));
        if (sd <= NoSpread * Math.Max(1, differences.Max(Math.Abs)))
            return new PairedComparison(n, mean, 0, null, n - 1, null, null, null);
        var se = sd / Math.Sqrt(n);
        var df = n - 1.0;
        var t = mean / se;
        var p = Math.Clamp(2 * StudentT.CDF(0, 1, df, -Math.Abs(t)), 0, 1);
        var half = StudentT.InvCDF(0, 1, df, 1 - (1 - Confidence) / 2) * se;
        return new PairedComparison(n, mean, se, t, df, p, mean - half, mean + half);
    }
}
