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
    public void The_backbones_own_measured_point_on_the_data_answers_before_any_fit_and_carries_its_rate()
    {
        // One point only, this backbone's own: no fit could use it, and no rule of thumb should override it.
        var own = Point("mine", 0.9, "nll", -0.04) with { LearningRate = 1e-4, Confirmed = true };
        var r = ContinuumFit.Recommend([own], 0.9, backbone: "mine", dataset: "cipher");
        Assert.Equal(("nll", "measured", "high", 1e-4), (r.Objective, r.Basis, r.Confidence, r.LearningRate));
        Assert.Equal(-0.04, r.ExpectedGain);
        // The same backbone on another data set is no measurement of this one.
        Assert.Equal("paper-rule", ContinuumFit.Recommend([own], 0.9, backbone: "mine", dataset: "other").Basis);
        // An unconfirmed point of its own answers with low confidence.
        Assert.Equal("low", ContinuumFit.Recommend([own with { Confirmed = false }], 0.9, "mine", "cipher").Confidence);
    }

    [Fact]
    public void A_fitted_recommendation_carries_the_rate_of_the_point_it_leans_on()
    {
        var points = new[] { Point("mid", 0.6, "power:1", 0.1) with { LearningRate = 3e-4 }, Point("strong", 0.9, "power:1", 0.3) with { LearningRate = 1e-4 } };
        Assert.Equal(3e-4, ContinuumFit.Recommend(points, 0.65).LearningRate);
        Assert.Equal(1e-4, ContinuumFit.Recommend(points, 0.85).LearningRate);
        Assert.Equal(1e-4, ContinuumFit.Recommend(points, 0.95).LearningRate);
        Assert.Null(ContinuumFit.Recommend([], 0.5).LearningRate);
    }

    [Fact]
    public void Too_few_points_fall_back_to_the_projects_rule_of_thumb_named_as_its_own()
    {
        var one = new[] { Point("strong", 0.9, "top-p:0.5", 0.3) };
        var weak = ContinuumFit.Recommend(one, 0.1);
        Assert.Equal("paper-rule", weak.Basis);
        Assert.Equal("nll", weak.Objective);
        Assert.Equal("none", weak.Confidence);
        Assert.Null(weak.ExpectedGain);
        Assert.Equal("power:1", ContinuumFit.Recommend([], 0.8).Objective);
        Assert.Equal("nll", ContinuumFit.Recommend([], 0.45).Objective);
        Assert.Contains("this project's rule of thumb", weak.Reason);
        Assert.Contains("not the paper's", weak.Reason);
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
