using MathNet.Numerics.Distributions;

namespace BeyondNll.Search.Confirmation;

/// <summary>The outcome of comparing two means: their difference, its standard error and a two-sided p.</summary>
/// <param name="Difference">Mean of a minus mean of b.</param>
/// <param name="DegreesOfFreedom">Welch–Satterthwaite; NaN when it is undefined.</param>
/// <param name="PValue">Two-sided; NaN when either side has fewer than two values (its noise is unknown).</param>
public sealed record MeanComparison(double Difference, double StandardError, double T, double DegreesOfFreedom, double PValue);

/// <summary>
/// Welch's t test of two means with unequal variances: t = (mean a − mean b) / √(se_a² + se_b²),
/// with Welch–Satterthwaite degrees of freedom and a two-sided p from Student's t. Chosen over a
/// pooled t test because objectives differ in how much they vary across seeds.
/// </summary>
public static class WelchTest
{
    public static MeanComparison Compare(SampleSummary a, SampleSummary b)
    {
        var difference = a.Mean - b.Mean;
        if (a.N < 2 || b.N < 2) return new MeanComparison(difference, double.NaN, double.NaN, double.NaN, double.NaN);
        var va = a.StandardError * a.StandardError;
        var vb = b.StandardError * b.StandardError;
        var se = Math.Sqrt(va + vb);
        if (se == 0)
        {
            // No spread at all on either side (every seed gave the same value): a difference is
            // then exact, and no difference is exactly none.
            return new MeanComparison(difference, 0, difference == 0 ? 0 : Math.Sign(difference) * double.PositiveInfinity,
                a.N + b.N - 2, difference == 0 ? 1 : 0);
        }
        var t = difference / se;
        var df = (va + vb) * (va + vb) / (va * va / (a.N - 1) + vb * vb / (b.N - 1));
        var p = 2 * StudentT.CDF(0, 1, df, -Math.Abs(t));
        return new MeanComparison(difference, se, t, df, Math.Clamp(p, 0, 1));
    }
}
