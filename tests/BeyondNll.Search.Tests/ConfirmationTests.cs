using System.Text.Json;
using BeyondNll.Search.Confirmation;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

/// <summary>
/// The confirmation statistics: the paired t test, Holm's correction and the whole analysis, against
/// values SciPy and statsmodels computed (Reference/make_confirmation_reference.py wrote
/// Reference/confirmation.json), and the rules of their edge cases.
/// </summary>
public class ConfirmationTests
{
    static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "confirmation.json"))).RootElement;

    static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

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
    public void The_paired_t_test_matches_scipy_on_every_reference_case()
    {
        var cases = Reference.GetProperty("paired_t").EnumerateArray().ToList();
        Assert.Equal(7, cases.Count);
        foreach (var c in cases)
        {
            var a = Numbers(c.GetProperty("a"));
            var b = Numbers(c.GetProperty("b"));
            var r = PairedTTest.Compare(a.Zip(b, (x, y) => x - y).ToList());
            Assert.Equal(a.Length, r.Pairs);
            Assert.Equal(c.GetProperty("mean_difference").GetDouble(), r.MeanDifference, 12);
            Assert.Equal(c.GetProperty("standard_error").GetDouble(), r.StandardError!.Value, 12);
            Assert.Equal(c.GetProperty("t").GetDouble(), r.T!.Value, 9);
            Assert.Equal(c.GetProperty("df").GetDouble(), r.DegreesOfFreedom!.Value, 12);
            Assert.Equal(c.GetProperty("p").GetDouble(), r.PValue!.Value, 9);
            Assert.Equal(c.GetProperty("ci_low").GetDouble(), r.CiLow!.Value, 9);
            Assert.Equal(c.GetProperty("ci_high").GetDouble(), r.CiHigh!.Value, 9);
        }
    }

    [Fact]
    public void Holm_matches_statsmodels_on_every_reference_case()
    {
        foreach (var c in Reference.GetProperty("holm").EnumerateArray())
        {
            var adjusted = HolmCorrection.Adjust(Numbers(c.GetProperty("p")).Select(p => (double?)p).ToList());
            var expected = Numbers(c.GetProperty("adjusted"));
            Assert.Equal(expected.Length, adjusted.Count);
            for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], adjusted[i]!.Value, 12);
        }
    }

    [Fact]
    public void Holm_keeps_an_untested_comparison_null_and_counts_it_in_the_family()
    {
        // Alone, 0.02 stays 0.02; beside an untested comparison it is one of two: 0.04.
        Assert.Equal([0.02], HolmCorrection.Adjust([0.02]));
        Assert.Equal([0.04, null], HolmCorrection.Adjust([0.02, null]));
        Assert.Throws<ArgumentException>(() => HolmCorrection.Adjust([1.5]));
    }

    [Fact]
    public void A_whole_confirmation_matches_the_reference_pairs_by_seed_and_corrects_for_three_challengers()
    {
        var c = Reference.GetProperty("confirmation");
        var seeds = c.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        static IReadOnlyList<SeededValue> BySeed(int[] seeds, double[] values) => seeds.Zip(values, (s, v) => new SeededValue(s, v)).ToList();
        var baseline = new ConfirmedConfiguration("nll @ lr 0.0001", BySeed(seeds, Numbers(c.GetProperty("baseline"))));
        // The candidates' seeds listed in another order: pairs are made by seed, not by position.
        var candidates = c.GetProperty("candidates").EnumerateObject()
            .Select(p => new ConfirmedConfiguration(p.Name, BySeed(seeds, Numbers(p.Value)).Reverse().ToList())).ToList();

        var r = ConfirmationAnalysis.Analyse(baseline, candidates, StudyDirection.Maximize);

        Assert.Equal(3, r.Candidates.Count);
        foreach (var comparison in r.Candidates)
        {
            var expected = c.GetProperty("comparisons").GetProperty(comparison.Name);
            Assert.Equal(4, comparison.Pairs);
            Assert.Equal(expected.GetProperty("mean_difference").GetDouble(), comparison.Gain, 12);
            Assert.Equal(expected.GetProperty("p").GetDouble(), comparison.PValue!.Value, 9);
            Assert.Equal(expected.GetProperty("p_adjusted").GetDouble(), comparison.PAdjusted!.Value, 9);
            Assert.Equal(expected.GetProperty("ci_low").GetDouble(), comparison.CiLow!.Value, 9);
            Assert.Equal(expected.GetProperty("ci_high").GetDouble(), comparison.CiHigh!.Value, 9);
        }
        // power:1's own p (0.018) would call it beyond noise; corrected for three challengers (0.053) it is not.
        var best = r.ChallengerComparison!;
        Assert.Equal(("power:1 @ lr 0.0001", "power:1 @ lr 0.0001"), (r.Challenger, r.Winner));
        Assert.True(best.PValue < 0.05);
        Assert.False(best.BeyondNoise);
        Assert.Equal("paired-t", ConfirmationResult.Test);
    }

    [Fact]
    public void No_spread_in_the_differences_is_untested_never_beyond_noise()
    {
        // Every seed the same gain (as a deterministic workload gives), and every seed 0 accuracy on both sides.
        foreach (var (a, b) in new[] { (new[] { 0.9, 0.8, 0.7 }, new[] { 0.5, 0.4, 0.3 }), (new[] { 0.0, 0.0, 0.0 }, new[] { 0.0, 0.0, 0.0 }) })
        {
            var r = ConfirmationAnalysis.Analyse(Configuration("nll", b), [Configuration("power:1", a)], StudyDirection.Maximize);
            var c = r.ChallengerComparison!;
            Assert.Equal(a[0] - b[0], c.Gain, 12);
            Assert.Equal(0, c.GainStandardError);
            Assert.Null(c.PValue);
            Assert.Null(c.PAdjusted);
            Assert.Null(c.CiLow);
            Assert.False(c.BeyondNoise);
        }
        // Float rounding is no spread: 0.52 - 0.50 and 0.53 - 0.51 differ in the 17th digit.
        Assert.Null(PairedTTest.Compare([0.52 - 0.50, 0.53 - 0.51, 0.54 - 0.52]).PValue);
        Assert.Null(PairedTTest.Compare([0.1]).PValue); // one pair: no spread to measure
    }

    [Fact]
    public void Pairs_are_the_seeds_both_arms_have_and_a_candidate_without_any_is_left_out()
    {
        var baseline = new ConfirmedConfiguration("nll", [new(1, 0.5), new(2, 0.6), new(3, 0.55)]);
        var partial = new ConfirmedConfiguration("power:1", [new(2, 0.7), new(3, 0.64)]); // its seed 1 failed
        var disjoint = new ConfirmedConfiguration("power:10", [new(9, 0.9)]);
        var r = ConfirmationAnalysis.Analyse(baseline, [partial, disjoint], StudyDirection.Maximize);
        var c = Assert.Single(r.Candidates);
        Assert.Equal(("power:1", 2), (c.Name, c.Pairs));
        Assert.Equal(((0.7 - 0.6) + (0.64 - 0.55)) / 2, c.Gain, 12);
        Assert.Equal(0.55, r.Baseline.Summary.Mean, 12); // the baseline's mean is over all of its seeds
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
        var r = ConfirmationAnalysis.Analyse(Configuration("nll", [0.50, 0.52, 0.48]),
            [Configuration("power:1", [0.70, 0.73, 0.68]), Configuration("power:10", [0.55, 0.60, 0.50])], StudyDirection.Maximize);
        Assert.Equal("power:1", r.Challenger);
        Assert.Equal("power:1", r.Winner);
        Assert.Equal(0.61 / 3, r.ChallengerComparison!.Gain, 9);
        Assert.True(r.ChallengerComparison.BeyondNoise);
        Assert.True(r.ChallengerComparison.CiLow > 0);
    }

    [Fact]
    public void When_nll_is_better_it_wins_and_the_gain_is_negative_also_for_a_minimised_metric()
    {
        // Validation NLL, lower is better: the challenger's 2.0 is worse than NLL's 1.0.
        var r = ConfirmationAnalysis.Analyse(Configuration("nll", [1.0, 1.1, 0.9]),
            [Configuration("power:10", [2.0, 2.15, 1.9])], StudyDirection.Minimize);
        var c = r.ChallengerComparison!;
        Assert.Equal("power:10", r.Challenger);
        Assert.Equal("nll", r.Winner);
        Assert.Equal(-(1.0 + 1.05 + 1.0) / 3, c.Gain, 9);
        Assert.True(c.T < 0);
        Assert.True(c.CiHigh < 0);
        Assert.True(c.BeyondNoise);
    }

    [Fact]
    public void Without_challengers_nll_wins_with_no_comparison()
    {
        var r = ConfirmationAnalysis.Analyse(Configuration("nll", [0.5, 0.6]), [], StudyDirection.Maximize);
        Assert.Equal("nll", r.Winner);
        Assert.Null(r.Challenger);
        Assert.Null(r.ChallengerComparison);
    }

    static ConfirmedConfiguration Configuration(string name, double[] values) =>
        new(name, values.Select((v, i) => new SeededValue(i + 1, v)).ToList());
}
