using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Confirmation;

/// <summary>One configuration re-run on fresh seeds: its name (an objective, with its learning rate) and the values.</summary>
public sealed record ConfirmedConfiguration(string Name, IReadOnlyList<double> Values);

/// <summary>A configuration's summary in a confirmation.</summary>
public sealed record ConfiguredSummary(string Name, SampleSummary Summary);

/// <summary>
/// The result of a confirmation. <see cref="Challenger"/> is the confirmed configuration, other than
/// the baseline, with the best mean; <see cref="Gain"/> is its mean minus the baseline's, signed so
/// that positive is better; <see cref="Winner"/> is the challenger when the gain is positive, else
/// the baseline. <see cref="BeyondNoise"/> says whether the Welch test rejects "no difference" at
/// <see cref="Alpha"/> (two-sided): a significant negative gain means the baseline won beyond noise.
/// </summary>
public sealed record ConfirmationResult(
    ConfiguredSummary Baseline, IReadOnlyList<ConfiguredSummary> Candidates, string? Challenger, string Winner,
    double? Gain, double? GainStandardError, double? T, double? DegreesOfFreedom, double? PValue, bool BeyondNoise, double Alpha)
{
    public const string Test = "welch-t";
}

/// <summary>
/// Turns a finished search into a confirmation and back: which configurations to re-run, and what
/// their re-runs say. Only the fresh seeds count in the means: the search's own value of a
/// configuration is left out, since it was chosen for being high (the winner's curse).
/// </summary>
public static class ConfirmationAnalysis
{
    public const double DefaultAlpha = 0.05;

    /// <summary>
    /// The best <paramref name="k"/> distinct configurations among completed search values, by their
    /// best value in the search. The caller picks the pool: the baseline is the best of the NLL
    /// configurations (NLL at its best learning rate, the fair yardstick), the challengers the best
    /// of the others.
    /// </summary>
    public static IReadOnlyList<string> SelectTop(IEnumerable<(string Name, double Value)> searched, int k, StudyDirection direction)
    {
        if (k < 0) throw new ArgumentException($"k must not be negative, got {k}");
        var best = searched.Where(s => double.IsFinite(s.Value))
            .GroupBy(s => s.Name)
            .Select(g => (Name: g.Key, Value: direction == StudyDirection.Maximize ? g.Max(s => s.Value) : g.Min(s => s.Value)));
        var ordered = direction == StudyDirection.Maximize
            ? best.OrderByDescending(b => b.Value)
            : best.OrderBy(b => b.Value);
        // Ties keep a stable order by name, so the same search always confirms the same configurations.
        return ordered.ThenBy(b => b.Name, StringComparer.Ordinal).Take(k).Select(b => b.Name).ToList();
    }

    /// <exception cref="ArgumentException">The baseline has no values, or a candidate has none.</exception>
    public static ConfirmationResult Analyse(ConfirmedConfiguration baseline, IReadOnlyList<ConfirmedConfiguration> candidates,
        StudyDirection direction, double alpha = DefaultAlpha)
    {
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentException($"alpha must be in (0, 1), got {alpha}");
        var sign = direction == StudyDirection.Maximize ? 1.0 : -1.0;
        var nll = new ConfiguredSummary(baseline.Name, SampleSummary.Of(baseline.Values));
        var summaries = candidates.Select(c => new ConfiguredSummary(c.Name, SampleSummary.Of(c.Values))).ToList();
        if (summaries.Count == 0)
            return new ConfirmationResult(nll, summaries, null, nll.Name, null, null, null, null, null, false, alpha);

        var challenger = summaries.OrderByDescending(c => sign * c.Summary.Mean).ThenBy(c => c.Name, StringComparer.Ordinal).First();
        var comparison = WelchTest.Compare(challenger.Summary, nll.Summary);
        var gain = sign * comparison.Difference;
        var known = !double.IsNaN(comparison.PValue);
        return new ConfirmationResult(nll, summaries, challenger.Name, gain > 0 ? challenger.Name : nll.Name,
            gain, NullIfNaN(comparison.StandardError), known ? sign * comparison.T : null, NullIfNaN(comparison.DegreesOfFreedom),
            known ? comparison.PValue : null, known && comparison.PValue < alpha, alpha);
    }

    static double? NullIfNaN(double v) => double.IsNaN(v) ? null : v;
}
