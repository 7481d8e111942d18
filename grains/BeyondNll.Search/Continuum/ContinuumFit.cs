namespace BeyondNll.Search.Continuum;

/// <summary>
/// A recommendation for a backbone at a given mean p. <see cref="Basis"/> says where it came from:
/// <c>measured</c> (this very backbone's own study on this data set), <c>interpolated</c> (between two
/// measured points that agree on the winner), <c>nearest</c> (the nearest point, when its neighbours
/// disagree or the capability lies outside the measured range), <c>exact</c> (a measured point at
/// the same mean p), or <c>paper-rule</c> (too few points: <see cref="RuleOfThumb"/>, this project's
/// rule, under the name scripts know it by). <see cref="Confidence"/> is high, medium, low or none;
/// <see cref="Neighbours"/> are the points used; <see cref="LearningRate"/> is the winner's rate at the
/// point the recommendation comes from (the nearer one), null under the rule of thumb.
/// </summary>
public sealed record Recommendation(string Objective, double MeanP, string Region, double? ExpectedGain,
    double? ExpectedGainStandardError, string Confidence, string Basis, string Reason, IReadOnlyList<ContinuumPoint> Neighbours,
    double? LearningRate = null);

/// <summary>
/// Places a capability on the measured continuum and reads off a winner: the backbone's own measured
/// point on the data set when there is one, else a nearest-neighbour fit over mean p, with the
/// expected gain interpolated linearly between the two points that bracket it. Points on the same
/// mean p (several studies of one backbone) are pooled first, the most certain (smallest standard
/// error) kept.
/// </summary>
public static class ContinuumFit
{
    /// <summary>Fewer measured points than this, and the fit falls back to <see cref="RuleOfThumb"/>.</summary>
    public const int MinimumPoints = 2;

    /// <summary>How far (in mean p) beyond the measured range a nearest point still counts as near.</summary>
    public const double NearDistance = 0.1;

    /// <param name="backbone">The backbone asked about, with <paramref name="dataset"/>: a point of its own on that data set answers before any fit.</param>
    public static Recommendation Recommend(IReadOnlyList<ContinuumPoint> points, double meanP, string? backbone = null, string? dataset = null)
    {
        if (!(meanP >= 0 && meanP <= 1)) throw new ArgumentException($"mean p must be in [0, 1], got {meanP}");
        var region = RuleOfThumb.Region(meanP);
        if (points.FirstOrDefault(p => p.Backbone == backbone && p.Dataset == dataset && double.IsFinite(p.Gain)) is { } own)
        {
            var confidence = !own.Confirmed ? "low" : own.BeyondNoise ? "high" : "medium";
            return new Recommendation(own.Winner, meanP, region, own.Gain, own.GainStandardError, confidence, "measured",
                $"measured: this backbone's own study on {own.Dataset} ({(own.Confirmed ? "confirmed" : "unconfirmed")})", [own], own.LearningRate);
        }
        var sorted = points.Where(p => double.IsFinite(p.MeanP) && double.IsFinite(p.Gain))
            .GroupBy(p => p.MeanP)
            .Select(g => g.OrderBy(p => p.GainStandardError ?? double.PositiveInfinity).First())
            .OrderBy(p => p.MeanP).ToList();
        if (sorted.Count < MinimumPoints)
        {
            return new Recommendation(RuleOfThumb.Objective(meanP), meanP, region, null, null, "none", "paper-rule",
                $"{sorted.Count} measured point(s), fewer than {MinimumPoints}: this project's rule of thumb for a {region} backbone " +
                $"(its own mean p cut-offs {RuleOfThumb.WeakBelow} and {RuleOfThumb.StrongFrom}, not the paper's, which places settings by domain)", sorted);
        }

        var exact = sorted.FirstOrDefault(p => Math.Abs(p.MeanP - meanP) < 1e-9);
        if (exact is not null)
            return FromPoint(exact, meanP, region, "exact", $"measured at this mean p ({exact.Backbone} on {exact.Dataset})", 0);

        var below = sorted.LastOrDefault(p => p.MeanP < meanP);
        var above = sorted.FirstOrDefault(p => p.MeanP > meanP);
        if (below is null || above is null)
        {
            var nearest = below ?? above!;
            var distance = Math.Abs(nearest.MeanP - meanP);
            return FromPoint(nearest, meanP, region, "nearest",
                $"outside the measured range ({sorted[0].MeanP:F3} to {sorted[^1].MeanP:F3}); nearest point {nearest.Backbone} at {nearest.MeanP:F3}",
                distance);
        }

        if (below.Winner == above.Winner)
        {
            var w = (meanP - below.MeanP) / (above.MeanP - below.MeanP);
            var gain = (1 - w) * below.Gain + w * above.Gain;
            double? se = below.GainStandardError is { } a && above.GainStandardError is { } b
                ? Math.Sqrt((1 - w) * (1 - w) * a * a + w * w * b * b) : null;
            var confidence = below.BeyondNoise && above.BeyondNoise ? "high" : below.BeyondNoise || above.BeyondNoise ? "medium" : "low";
            var nearer = meanP - below.MeanP <= above.MeanP - meanP ? below : above;
            return new Recommendation(below.Winner, meanP, region, gain, se, confidence, "interpolated",
                $"between {below.Backbone} ({below.MeanP:F3}) and {above.Backbone} ({above.MeanP:F3}), which both found {below.Winner}",
                [below, above], nearer.LearningRate);
        }

        // The neighbours disagree: the continuum changes winner between them. The nearer one's winner,
        // and low confidence, since the crossover lies somewhere in this interval.
        var near = meanP - below.MeanP <= above.MeanP - meanP ? below : above;
        var other = near == below ? above : below;
        var point = FromPoint(near, meanP, region, "nearest",
            $"between {below.Backbone} ({below.MeanP:F3}, {below.Winner}) and {above.Backbone} ({above.MeanP:F3}, {above.Winner}), " +
            $"which disagree; the nearer one's winner", Math.Abs(near.MeanP - meanP));
        return point with { Confidence = "low", Neighbours = [near, other] };
    }

    static Recommendation FromPoint(ContinuumPoint p, double meanP, string region, string basis, string reason, double distance)
    {
        var confidence = distance > NearDistance ? "low" : p.BeyondNoise ? (basis == "exact" ? "high" : "medium") : "low";
        return new Recommendation(p.Winner, meanP, region, p.Gain, p.GainStandardError, confidence, basis, reason, [p], p.LearningRate);
    }
}
