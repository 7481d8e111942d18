using BeyondNll.Studies.Factorial;

namespace BeyondNll.Studies.Tests;

/// <summary>
/// The factorial's answers as the docs report them: each objective at the rate that was best on
/// validation, reported on test; gains paired by seed with Student's 95% interval; the verdict; where a
/// gain changes sign along mean p; whether the product's search agreed, and at what share of the cost.
/// </summary>
public class FactorialAnalysisTests
{
    static readonly FactorialSettings Settings = new(["cipher"], ["clean"], [0, 100], [0, 1, 2], ["nll", "power:1"], [1e-5, 3e-4],
        Steps: 10, Examples: 100, ValExamples: 20, TestExamples: 20, TaskShare: 1);

    static FactorialRun Run(string objective, double lr, double val, double test) => new(objective, lr, val, test, 10, "completed");

    /// <summary>A cell where NLL and power:1 each score <paramref name="nll"/> and <paramref name="power"/> on test at their better
    /// rate (3e-4 for both by validation), and worse at the other.</summary>
    static FactorialCell Cell(int level, int seed, double meanP, double nll, double power, string condition = "clean") =>
        new("cipher", condition, level, seed, meanP, meanP + 0.01, AccuracyBefore: 0.1, $"grid-{level}-{seed}",
        [
            Run("nll", 1e-5, val: 0.1, test: 0.9), // best on test, but not on validation: never the one reported
            Run("nll", 3e-4, val: 0.5, test: nll),
            Run("power:1", 1e-5, val: 0.2, test: 0.0),
            Run("power:1", 3e-4, val: 0.6, test: power),
        ]);

    static FactorialReport Analyse(IReadOnlyList<FactorialCell> cells, IReadOnlyList<FactorialSearch>? searches = null) =>
        FactorialAnalysis.Analyse(new FactorialResults(Settings, cells, searches ?? []));

    [Fact]
    public void Each_objective_is_reported_on_test_at_the_rate_that_was_best_on_validation()
    {
        var level = Analyse([Cell(100, 0, 0.8, nll: 0.40, power: 0.50)]).Levels.Single();
        var nll = level.Objectives.Single(o => o.Objective == "nll");
        Assert.Equal(0.40, nll.MeanTest, 12);
        Assert.Equal([3e-4], nll.BestRates);
        Assert.Equal(0.5, level.Objectives.Single(o => o.Objective == "power:1").MeanTest, 12);
    }

    [Fact]
    public void A_gain_paired_over_seeds_has_students_interval_and_a_challenger_beyond_noise_wins()
    {
        // Differences 0.10, 0.12, 0.08: mean 0.10, SD 0.02, SE 0.011547, t(2) 0.975 quantile 4.302653.
        var level = Analyse([Cell(100, 0, 0.8, 0.40, 0.50), Cell(100, 1, 0.8, 0.30, 0.42), Cell(100, 2, 0.8, 0.50, 0.58)]).Levels.Single();
        var gain = level.Gains.Single();
        Assert.Equal(3, gain.Seeds);
        Assert.Equal(0.10, gain.Mean, 9);
        Assert.Equal(0.10 - 0.049683, gain.CiLow!.Value, 5);
        Assert.Equal(0.10 + 0.049683, gain.CiHigh!.Value, 5);
        Assert.Equal(0.0131, gain.PValue!.Value, 3); // t = 8.66 on 2 degrees of freedom
        Assert.True(gain.BeyondNoise);
        Assert.Equal("power:1", level.Winner);
        Assert.Equal(FactorialAnalysis.ChallengerWins, level.Verdict);
    }

    [Fact]
    public void Nll_wins_only_beyond_noise_and_a_mixed_sign_is_within_noise()
    {
        var nllWins = Analyse([Cell(0, 0, 0.1, 0.40, 0.20), Cell(0, 1, 0.1, 0.30, 0.05), Cell(0, 2, 0.1, 0.50, 0.28)]).Levels.Single();
        Assert.Equal("nll", nllWins.Winner);
        Assert.Equal(FactorialAnalysis.NllWins, nllWins.Verdict);

        var mixed = Analyse([Cell(0, 0, 0.1, 0.40, 0.45), Cell(0, 1, 0.1, 0.30, 0.27), Cell(0, 2, 0.1, 0.50, 0.52)]).Levels.Single();
        Assert.Equal(FactorialAnalysis.WithinNoise, mixed.Verdict);
    }

    [Fact]
    public void Gains_without_spread_are_untested_and_never_beyond_noise()
    {
        // Every seed the same gain: no variance, so no interval and no verdict beyond noise however large.
        var level = Analyse([Cell(100, 0, 0.8, 0.40, 0.50), Cell(100, 1, 0.8, 0.30, 0.40), Cell(100, 2, 0.8, 0.20, 0.30)]).Levels.Single();
        var gain = level.Gains.Single();
        Assert.Null(gain.CiLow);
        Assert.False(gain.BeyondNoise);
        Assert.Equal(FactorialAnalysis.WithinNoise, level.Verdict);
    }

    [Fact]
    public void The_sign_change_of_a_gain_is_placed_between_the_levels_where_it_flips()
    {
        var report = Analyse([Cell(0, 0, 0.1, 0.40, 0.30), Cell(100, 0, 0.5, 0.40, 0.50)]);
        var change = Assert.Single(report.SignChanges);
        Assert.Equal("power:1", change.Challenger);
        Assert.Equal(0.1, change.FromMeanP, 12);
        Assert.Equal(0.5, change.ToMeanP, 12);
        Assert.Equal(0.3, change.Crossing, 9); // -0.1 at 0.1, +0.1 at 0.5
    }

    [Fact]
    public void A_search_agrees_when_on_the_factorials_winning_side_or_when_the_factorial_cannot_tell()
    {
        FactorialSearch Search(int level, int seed, string winner) =>
            new("cipher", "clean", level, seed, $"s-{level}-{seed}", winner, 1e-4, Confirmed: true, BeyondNoise: false, Gain: null, Trials: 4, Steps: 15);
        var nllLevel = new[] { Cell(0, 0, 0.1, 0.40, 0.20), Cell(0, 1, 0.1, 0.30, 0.05), Cell(0, 2, 0.1, 0.50, 0.28) };
        var tieLevel = new[] { Cell(100, 0, 0.8, 0.40, 0.45), Cell(100, 1, 0.8, 0.30, 0.27), Cell(100, 2, 0.8, 0.50, 0.52) };
        var report = Analyse([.. nllLevel, .. tieLevel], [Search(0, 0, "nll"), Search(0, 1, "power:3"), Search(0, 2, "nll"), Search(100, 0, "power:1")]);

        var atNll = report.Agreement.Single(a => a.Level == 0);
        Assert.Equal(2, atNll.Agreed);
        Assert.Equal(3, atNll.Searches);
        Assert.True(atNll.Agrees);
        // One search of 15 steps against the level's factorial: 3 seeds × 4 runs × 10 steps.
        Assert.Equal(15.0 / 120, atNll.CostShare, 12);
        Assert.Equal(1, report.Agreement.Single(a => a.Level == 100).Agreed); // within noise, the answer not measured on test: it agrees
    }

    [Fact]
    public void Within_noise_a_search_agrees_only_when_its_answer_scored_within_the_factorials_noise_of_the_winner()
    {
        // power:1 − nll per seed: +0.05, −0.03, +0.02: power:1 is the winner, within noise; its interval's
        // half-width is t(2) × SE = 4.303 × 0.0233 ≈ 0.100.
        var tieLevel = new[] { Cell(100, 0, 0.8, 0.40, 0.45), Cell(100, 1, 0.8, 0.30, 0.27), Cell(100, 2, 0.8, 0.50, 0.52) };
        FactorialSearch Search(int seed, string winner, double test) =>
            new("cipher", "clean", 100, seed, $"s-{seed}", winner, 1e-4, true, false, null, 4, 15, TestValue: test);

        var close = Analyse(tieLevel, [Search(0, "nll", 0.40), Search(1, "power:1", 0.27)]).Agreement.Single();
        Assert.Equal(2, close.Agreed);
        Assert.Equal((0.05 + 0.0) / 2, close.MeanRegret!.Value, 9); // winner's 0.45 and 0.27 on those seeds
        Assert.Equal(0.100, close.Noise!.Value, 3);

        // An answer the factorial's winner beats by 0.25 on the same backbone is not "within noise".
        var far = Analyse(tieLevel, [Search(0, "power:10", 0.20)]).Agreement.Single();
        Assert.Equal(0, far.Agreed);
        Assert.False(far.Agrees);
    }

    [Fact]
    public void Searches_of_other_settings_are_counted_apart()
    {
        var cells = new[] { Cell(0, 0, 0.1, 0.40, 0.20), Cell(0, 1, 0.1, 0.30, 0.05), Cell(0, 2, 0.1, 0.50, 0.28) };
        FactorialSearch Search(string args, string winner) =>
            new("cipher", "clean", 0, 0, "s", winner, 1e-4, true, false, null, 4, 15, args);
        var report = Analyse(cells, [Search("", "power:1"), Search("--trials 20", "nll")]);
        Assert.Equal(["", "--trials 20"], report.Agreement.Select(a => a.Args));
        Assert.Equal([0, 1], report.Agreement.Select(a => a.Agreed));
    }
}
