using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Confirmation;

/// <summary>One value of a confirmed configuration: the training seed it ran on, and what it scored.</summary>
public readonly record struct SeededValue(int Seed, double Value);

/// <summary>One configuration re-run on fresh seeds: its name (an objective, with its learning rate) and a value per seed.</summary>
public sealed record ConfirmedConfiguration(string Name, IReadOnlyList<SeededValue> Values);

/// <summary>A configuration's summary in a confirmation.</summary>
public sealed record ConfiguredSummary(string Name, SampleSummary Summary);

/// <summary>
/// One challenger against the baseline, paired by seed: <see cref="Gain"/> is the mean per-seed
/// difference signed so that positive is better than the baseline, <see cref="CiLow"/> and
/// <see cref="CiHigh"/> its 95% interval (signed alike), <see cref="T"/> signed alike,
/// <see cref="PValue"/> the paired t test's two-sided p, <see cref="PAdjusted"/> Holm's over the
/// family of challengers; beyond noise when the adjusted p is below alpha.
/// </summary>
public sealed record CandidateComparison(string Name, SampleSummary Summary, int Pairs, double Gain, double? GainStandardError,
    double? T, double? DegreesOfFreedom, double? PValue, double? PAdjusted, double? CiLow, double? CiHigh, bool BeyondNoise);

/// <summary>
/// The result of a confirmation. <see cref="Challenger"/> is the candidate with the largest gain
/// over the baseline; <see cref="Winner"/> is it when that gain is positive, else the baseline. A
/// significant negative gain means the baseline won beyond noise.
/// </summary>
public sealed record ConfirmationResult(ConfiguredSummary Baseline, IReadOnlyList<CandidateComparison> Candidates, string? Challenger,
    string Winner, double Alpha)
{
    /// <summary>The test's name in status JSON.</summary>
    public const string Test = "paired-t";

    /// <summary>The challenger's comparison; null without candidates.</summary>
    public CandidateComparison? ChallengerComparison => Candidates.FirstOrDefault(c => c.Name == Challenger);
}

/// <summary>
/// Turns a finished search into a confirmation and back: which configurations to re-run, and what
/// their re-runs say. Only the fresh seeds count: the search's own value of a configuration is left
/// out, since it was chosen for being high (the winner's curse). Each candidate is compared with the
/// baseline seed by seed (<see cref="PairedTTest"/>), and the family of candidates is corrected
/// (<see cref="HolmCorrection"/>).
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

    /// <summary>
    /// Compares every candidate with the baseline on the seeds both have a value for. A candidate
    /// with no seed in common with the baseline cannot be compared and is left out.
    /// </summary>
    /// <exception cref="ArgumentException">The baseline has no values, or a value is not finite.</exception>
    public static ConfirmationResult Analyse(ConfirmedConfiguration baseline, IReadOnlyList<ConfirmedConfiguration> candidates,
        StudyDirection direction, double alpha = DefaultAlpha)
    {
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentException($"alpha must be in (0, 1), got {alpha}");
        var sign = direction == StudyDirection.Maximize ? 1.0 : -1.0;
        var nll = new ConfiguredSummary(baseline.Name, SampleSummary.Of(baseline.Values.Select(v => v.Value).ToList()));
        var bySeed = baseline.Values.GroupBy(v => v.Seed).ToDictionary(g => g.Key, g => g.First().Value);

        var paired = candidates
            .Select(c => (Candidate: c, Differences: c.Values.Where(v => bySeed.ContainsKey(v.Seed))
                .Select(v => sign * (v.Value - bySeed[v.Seed])).ToList()))
            .Where(c => c.Differences.Count > 0)
            .Select(c => (c.Candidate, Test: PairedTTest.Compare(c.Differences)))
            .ToList();
        var adjusted = HolmCorrection.Adjust(paired.Select(c => c.Test.PValue).ToList());
        var comparisons = paired.Select((c, i) => new CandidateComparison(c.Candidate.Name,
            SampleSummary.Of(c.Candidate.Values.Select(v => v.Value).ToList()), c.Test.Pairs, c.Test.MeanDifference,
            c.Test.StandardError, c.Test.T, c.Test.DegreesOfFreedom, c.Test.PValue, adjusted[i], c.Test.CiLow, c.Test.CiHigh,
            adjusted[i] < alpha)).ToList();

        var challenger = comparisons.OrderByDescending(c => c.Gain).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        return new ConfirmationResult(nll, comparisons, challenger?.Name, challenger is { Gain: > 0 } ? challenger.Name : nll.Name, alpha);
    }
}
