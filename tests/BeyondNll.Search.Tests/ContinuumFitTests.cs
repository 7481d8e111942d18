using BeyondNll.Search.Continuum;

namespace BeyondNll.Search.Tests;

public class ContinuumFitTests
{
    static ContinuumPoint Point(string name, double meanP, string winner, double gain, double se = 0.01, bool beyond = true) =>
        new(name, "cipher", meanP, winner, gain, se, beyond);

    [Fact]
    public void Between_two_points_that_agree_the_gain_is_interpolated()
    {
        var points = new[] { Point("weak", 0.1, "nll", -0.3), Point("mid", 0.6, "power:1", 0.1), Point("strong", 0.9, "power:1", 0.3) };
        var r = ContinuumFit.Recommend(points, 0.7);
        Assert.Equal("power:1", r.Objective);
        Assert.Equal("interpolated", r.Basis);
        Assert.Equal(0.1 + (0.3 - 0.1) / 3, r.ExpectedGain!.Value, 9);
        Assert.Equal("high", r.Confidence);
        Assert.Equal(["mid", "strong"], r.Neighbours.Select(p => p.Backbone));
        Assert.Equal("model-strong", r.Region);
    }

    [Fact]
    public void Between_two_points_that_disagree_the_nearer_wins_with_low_confidence()
    {
        var points = new[] { Point("weak", 0.1, "nll", -0.3), Point("strong", 0.9, "power:1", 0.3) };
        Assert.Equal("nll", ContinuumFit.Recommend(points, 0.3).Objective);
        var r = ContinuumFit.Recommend(points, 0.8);
        Assert.Equal("power:1", r.Objective);
        Assert.Equal("low", r.Confidence);
        Assert.Equal("nearest", r.Basis);
    }

    [Fact]
    public void Gains_within_noise_lower_the_confidence()
    {
        var points = new[] { Point("a", 0.6, "power:1", 0.02, beyond: false), Point("b", 0.9, "power:1", 0.03, beyond: false) };
        Assert.Equal("low", ContinuumFit.Recommend(points, 0.7).Confidence);
        points[0] = points[0] with { BeyondNoise = true };
        Assert.Equal("medium", ContinuumFit.Recommend(points, 0.7).Confidence);
    }

    [Fact]
    public void Too_few_points_fall_back_to_the_paper_rule()
    {
        var one = new[] { Point("strong", 0.9, "top-p:0.5", 0.3) };
        var weak = ContinuumFit.Recommend(one, 0.1);
        Assert.Equal("paper-rule", weak.Basis);
        Assert.Equal("nll", weak.Objective);
        Assert.Equal("none", weak.Confidence);
        Assert.Null(weak.ExpectedGain);
        Assert.Equal("power:1", ContinuumFit.Recommend([], 0.8).Objective);
        Assert.Equal("nll", ContinuumFit.Recommend([], 0.45).Objective);
    }

    [Fact]
    public void A_new_backbone_outside_the_measured_range_takes_the_nearest_point_and_far_away_is_low()
    {
        var points = new[] { Point("mid", 0.5, "nll", -0.05), Point("strong", 0.7, "power:10", 0.2) };
        var near = ContinuumFit.Recommend(points, 0.75);
        Assert.Equal("power:10", near.Objective);
        Assert.Equal("nearest", near.Basis);
        Assert.Equal("medium", near.Confidence);
        Assert.Equal("low", ContinuumFit.Recommend(points, 0.95).Confidence);
        Assert.Equal("nll", ContinuumFit.Recommend(points, 0.2).Objective);
    }

    [Fact]
    public void Points_at_the_same_capability_keep_the_most_certain_and_an_exact_hit_is_used()
    {
        var points = new[] { Point("a", 0.6, "nll", -0.1, se: 0.2), Point("a", 0.6, "power:1", 0.1, se: 0.01), Point("b", 0.2, "nll", -0.3) };
        var r = ContinuumFit.Recommend(points, 0.6);
        Assert.Equal("exact", r.Basis);
        Assert.Equal("power:1", r.Objective);
        Assert.Equal("high", r.Confidence);
        Assert.Throws<ArgumentException>(() => ContinuumFit.Recommend(points, 1.5));
    }
}
