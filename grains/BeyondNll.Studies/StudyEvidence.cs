using BeyondNll.Grains;

namespace BeyondNll.Studies;

/// <summary>
/// Which study's answer counts for a backbone on a data set and metric when several studies asked
/// the same question — the one rule that `best` (the backbone grain's record), the continuum and
/// recommend all follow: a confirmed answer before an unconfirmed one; among confirmed ones, the one
/// whose best challenger was paired with NLL on the most seeds; then the later one. Every point is
/// kept; this only says which one is read.
/// </summary>
public static class StudyEvidence
{
    /// <summary>True when a result with this evidence replaces one with the stored evidence (a tie goes to the newer).</summary>
    public static bool Replaces(bool confirmed, int pairs, bool storedConfirmed, int storedPairs) =>
        confirmed != storedConfirmed ? confirmed : !confirmed || pairs >= storedPairs;

    /// <summary>True when <paramref name="result"/> should replace the backbone's <paramref name="stored"/> result for the same data set and metric.</summary>
    public static bool Replaces(DatasetResult result, DatasetResult stored) =>
        result.Study == stored.Study
        || Replaces(IsConfirmed(result), result.Confirmation?.Pairs ?? 0, IsConfirmed(stored), stored.Confirmation?.Pairs ?? 0);

    /// <summary>Whether a backbone's result is a confirmation's; results stored before the flag existed say so by carrying one.</summary>
    public static bool IsConfirmed(DatasetResult r) => r.Confirmed || r.Confirmation is not null;

    /// <summary>The points that count, one per backbone × data set × metric, in the order given.</summary>
    public static IReadOnlyList<ContinuumEntry> Counted(IEnumerable<ContinuumEntry> entries)
    {
        var counted = new List<ContinuumEntry>();
        foreach (var entry in entries.OrderBy(e => e.Recorded))
        {
            var index = counted.FindIndex(e => SameQuestion(e, entry));
            if (index < 0) counted.Add(entry);
            else if (Replaces(entry.Confirmed, entry.Pairs, counted[index].Confirmed, counted[index].Pairs)) counted[index] = entry;
        }
        return entries.Where(counted.Contains).ToList();
    }

    /// <summary>True when the entry is the one that counts for its backbone, data set and metric among <paramref name="all"/>.</summary>
    public static bool Counts(ContinuumEntry entry, IEnumerable<ContinuumEntry> all) => Counted(all).Contains(entry);

    static bool SameQuestion(ContinuumEntry a, ContinuumEntry b) => a.Backbone == b.Backbone && a.Dataset == b.Dataset && a.Metric == b.Metric;
}
