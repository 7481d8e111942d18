using BeyondNll.Grains;
using BeyondNll.Search.Continuum;

namespace BeyondNll.Client.Continuum;

/// <summary>The stored continuum entries as points for the fit: those with a probe and a gain.</summary>
public static class ContinuumPoints
{
    /// <summary>
    /// Points of one data set when it has enough of them (capability is relative to the data), else
    /// of all data sets; <paramref name="pooled"/> says which.
    /// </summary>
    public static IReadOnlyList<ContinuumPoint> For(IEnumerable<ContinuumEntry> entries, string dataset, string metric, out bool pooled)
    {
        var all = entries.Where(e => e.Metric == metric && e.Probe is not null && e.Gain is not null)
            .Select(e => new ContinuumPoint(e.Backbone, e.Dataset, e.Probe!.MeanP, e.Winner, e.Gain!.Value, e.GainStandardError, e.BeyondNoise,
                e.WinnerLearningRate > 0 ? e.WinnerLearningRate : null, e.Confirmed)) // 0: no rate recorded
            .ToList();
        var same = all.Where(p => p.Dataset == dataset).ToList();
        pooled = same.Count < ContinuumFit.MinimumPoints && all.Count > same.Count;
        return pooled ? all : same;
    }
}
