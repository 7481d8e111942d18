using BeyondNll.Search.Confirmation;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

public class ConfirmationTests
{
    [Fact]
    public void A_summary_has_the_sample_standard_deviation_and_error()
    {
        var s = SampleSummary.Of([1, 2, 3, 4]);
        Assert.Equal(4, s.N);
        Assert.Equal(2.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3), s.StandardDeviation, 12); // squares 2.25+0.25+0.25+2.25 = 5, over n-1
        Assert.Equal(Math.Sqrt(5.0 / 3) / 2, s.StandardError, 12);
        Assert.True(double.IsNaN(SampleSummary.Of([0.7]).StandardError));
        Assert.Throws<ArgumentException>(() => SampleSummary.Of([]));
    }

    [Fact]
    public void Welch_matches_a_hand_computed_case()
    {
        // a = {10, 12, 14}: mean 12, var 4, se² 4/3; b = {5, 6, 7, 8, 9}: mean 7, var 2.5, se² 0.5.
        // t = 5 / √(11/6) = 3.6927; df = (11/6)² / ((4/3)²/2 + 0.5²/4) = 3.3611 / 0.95139 = 3.5328.
        var c = WelchTest.Compare(SampleSummary.Of([10, 12, 14]), SampleSummary.Of([5, 6, 7, 8, 9]));
        Assert.Equal(5, c.Difference, 12);
        Assert.Equal(Math.Sqrt(11.0 / 6), c.StandardError, 12);
        Assert.Equal(3.6927, c.T, 3);
        Assert.Equal(3.5328, c.DegreesOfFreedom, 3);
        // Two-sided p of t = 3.69 at 3.53 df, between the tabled 0.05 (t 2.78 at 4 df) and 0.01 (t 5.84 at 3 df).
        Assert.InRange(c.PValue, 0.02, 0.03);
    }

    [Fact]
    public void Welch_on_identical_samples_is_no_difference_and_on_single_values_is_unknown()
    {
        var same = WelchTest.Compare(SampleSummary.Of([0.5, 0.6, 0.7]), SampleSummary.Of([0.5, 0.6, 0.7]));
        Assert.Equal(0, same.T, 12);
        Assert.Equal(1, same.PValue, 9);
        Assert.True(double.IsNaN(WelchTest.Compare(SampleSummary.Of([1]), SampleSummary.Of([1, 2])).PValue));
        var exact = WelchTest.Compare(SampleSummary.Of([0.9, 0.9]), SampleSummary.Of([0.5, 0.5]));
        Assert.Equal(0, exact.PValue);
    }

    [Fact]
    public void Top_k_takes_distinct_configurations_by_their_best_value_in_the_direction()
    {
        var searched = new[] { ("power:1", 0.6), ("top-p:0.5", 0.8), ("power:1", 0.9), ("power:10", 0.7), ("bad", double.NaN) };
        Assert.Equal(["power:1", "top-p:0.5"], ConfirmationAnalysis.SelectTop(searched, 2, StudyDirection.Maximize));
        Assert.Equal(["power:1", "power:10"], ConfirmationAnalysis.SelectTop(searched, 2, StudyDirection.Minimize));
        Assert.Empty(ConfirmationAnalysis.SelectTop(searched, 0, StudyDirection.Maximize));
    }

    [Fact]
    public void A_clear_gain_is_beyond_noise_and_the_challenger_wins()
    {
        var r = ConfirmationAnalysis.Analyse(new ConfirmedConfiguration("nll", [0.50, 0.52, 0.48]),
            [new ConfirmedConfiguration("power:1", [0.70, 0.72, 0.68]), new ConfirmedConfiguration("power:10", [0.55, 0.60, 0.50])],
            StudyDirection.Maximize);
        Assert.Equal("power:1", r.Challenger);
        Assert.Equal("power:1", r.Winner);
        Assert.Equal(0.20, r.Gain!.Value, 9);
        Assert.Equal(Math.Sqrt(2 * 0.0004 / 3), r.GainStandardError!.Value, 9); // sd 0.02 on both sides, n 3
        Assert.True(r.BeyondNoise);
        Assert.True(r.PValue < 0.01);
    }

    [Fact]
    public void An_overlapping_gain_is_not_beyond_noise()
    {
        var r = ConfirmationAnalysis.Analyse(new ConfirmedConfiguration("nll", [0.40, 0.60, 0.50]),
            [new ConfirmedConfiguration("power:1", [0.45, 0.65, 0.55])], StudyDirection.Maximize);
        Assert.Equal("power:1", r.Winner);
        Assert.Equal(0.05, r.Gain!.Value, 9);
        Assert.False(r.BeyondNoise);
        Assert.InRange(r.PValue!.Value, 0.5, 1);
    }

    [Fact]
    public void When_nll_is_better_it_wins_and_the_gain_is_negative_also_for_a_minimised_metric()
    {
        // Validation NLL, lower is better: the challenger's 2.0 is worse than NLL's 1.0.
        var r = ConfirmationAnalysis.Analyse(new ConfirmedConfiguration("nll", [1.0, 1.1, 0.9]),
            [new ConfirmedConfiguration("power:10", [2.0, 2.1, 1.9])], StudyDirection.Minimize);
        Assert.Equal("power:10", r.Challenger);
        Assert.Equal("nll", r.Winner);
        Assert.Equal(-1.0, r.Gain!.Value, 9);
        Assert.True(r.T < 0);
        Assert.True(r.BeyondNoise);
    }

    [Fact]
    public void Without_challengers_nll_wins_with_no_gain()
    {
        var r = ConfirmationAnalysis.Analyse(new ConfirmedConfiguration("nll", [0.5, 0.6]), [], StudyDirection.Maximize);
        Assert.Equal("nll", r.Winner);
        Assert.Null(r.Gain);
        Assert.False(r.BeyondNoise);
    }
}
