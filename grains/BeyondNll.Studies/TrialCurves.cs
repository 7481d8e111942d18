using BeyondNll.Grains;

namespace BeyondNll.Studies;

/// <summary>
/// A trial's learning curve as the study keeps it: the training losses the trial grain reports and the
/// intermediate values the pruner saw, one point per step, in step order. The study records a value the
/// moment it is reported; the trial grain's curve arrives later, as snapshots.
/// </summary>
public static class TrialCurves
{
    /// <summary>The curve with <paramref name="value"/> at <paramref name="step"/>, a point's training loss kept, in step order.</summary>
    public static List<CurvePoint> WithValue(IReadOnlyList<CurvePoint> curve, int step, double value)
    {
        var points = curve.Where(p => p.Step != step).ToList();
        var loss = curve.FirstOrDefault(p => p.Step == step)?.TrainLoss;
        var at = points.FindIndex(p => p.Step > step);
        points.Insert(at < 0 ? points.Count : at, new CurvePoint(step, loss, value));
        return points;
    }

    /// <summary>
    /// The curve after a snapshot of the current attempt's: the points up to the step it resumed from,
    /// then the snapshot's, then values reported after the snapshot was taken (steps beyond its last),
    /// kept until a later snapshot has them.
    /// </summary>
    public static List<CurvePoint> WithSnapshot(IReadOnlyList<CurvePoint> curve, IReadOnlyList<CurvePoint> snapshot, int resumedFrom)
    {
        var last = Math.Max(snapshot[^1].Step, resumedFrom);
        return curve.Where(p => p.Step <= resumedFrom)
            .Concat(snapshot.Where(p => p.Step > resumedFrom))
            .Concat(curve.Where(p => p.Step > last && p.Value is not null))
            .ToList();
    }
}
