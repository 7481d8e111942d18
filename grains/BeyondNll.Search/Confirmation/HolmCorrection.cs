namespace BeyondNll.Search.Confirmation;

/// <summary>
/// Holm's step-down correction of p values for a family of tests: a confirmation tests each of its
/// K challengers against NLL, and picking the best of K and testing it alone would call noise a win
/// more often than alpha. The p values sorted ascending, p(1) ≤ ... ≤ p(m), are adjusted to
/// min(1, max over j ≤ i of (m − j + 1) · p(j)); a test is beyond noise when its adjusted p is below
/// alpha, which keeps the chance of any false win at most alpha (the family-wise error).
/// </summary>
public static class HolmCorrection
{
    /// <summary>
    /// The adjusted p values, in the order given. An untested comparison (null) stays null but still
    /// counts in the family as a p of 1: leaving it out would make the others' correction milder.
    /// </summary>
    /// <exception cref="ArgumentException">A p outside [0, 1].</exception>
    public static IReadOnlyList<double?> Adjust(IReadOnlyList<double?> pValues)
    {
        if (pValues.Any(p => p is { } v && !(v >= 0 && v <= 1))) throw new ArgumentException("p values must lie in [0, 1]");
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i] ?? 1.0).ThenBy(i => i).ToList();
        var adjusted = new double?[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            var index = order[rank];
            running = Math.Max(running, Math.Min(1, (m - rank) * (pValues[index] ?? 1.0)));
            adjusted[index] = pValues[index] is null ? null : running;
        }
        return adjusted;
    }
}
