namespace BeyondNll.Grains.Trials;

/// <summary>
/// An attempt's learning curve as status shows it: the training loss every 1% of the trial's steps
/// (and at its last), and every intermediate value at its step beside the loss there. About a hundred
/// points for any length of trial, so status stays small.
/// </summary>
public sealed class LearningCurve(int steps)
{
    readonly int stride = Math.Max(1, steps / 100);
    readonly List<CurvePoint> points = [];
    double? lastLoss;

    public void Step(int step, double loss)
    {
        lastLoss = double.IsFinite(loss) ? loss : null;
        if (step % stride == 0 || step == steps) points.Add(new CurvePoint(step, lastLoss, null));
    }

    public void Intermediate(int step, double value)
    {
        if (points.Count > 0 && points[^1].Step == step) points[^1] = points[^1] with { Value = value };
        else points.Add(new CurvePoint(step, lastLoss, value));
    }

    /// <summary>A copy of the points so far.</summary>
    public IReadOnlyList<CurvePoint> Points => points.ToList();
}
