using BeyondNll.Search.Pruners;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

/// <summary>The pruner specs a user writes on `search start --pruner`, and Hyperband's brackets.</summary>
public class PrunerSpecTests
{
    [Fact]
    public void Settings_after_the_name_reach_the_pruner_and_missing_ones_take_their_defaults()
    {
        var asha = Assert.IsType<AshaPruner>(PrunerFactory.Create("asha:eta=2,min=10", firstReportStep: 25));
        Assert.Equal((10, 2, 0), (asha.MinResource, asha.ReductionFactor, asha.Bracket));
        var plain = Assert.IsType<AshaPruner>(PrunerFactory.Create("asha", firstReportStep: 25));
        Assert.Equal((25, 3, 0), (plain.MinResource, plain.ReductionFactor, plain.Bracket));

        var median = Assert.IsType<MedianPruner>(PrunerFactory.Create("median:startup=5,warmup=1", 1));
        Assert.Equal((5, 1, 1), (median.StartupTrials, median.WarmupSteps, median.IntervalSteps));
        Assert.Equal(3, Assert.IsType<MedianPruner>(PrunerFactory.Create("median", 1)).StartupTrials);

        var hyperband = Assert.IsType<HyperbandPruner>(PrunerFactory.Create("hyperband:eta=3,min=10,max=90", 1));
        Assert.Equal((10, 3, 90), (hyperband.MinResource, hyperband.ReductionFactor, hyperband.MaxResource));
        Assert.Null(PrunerFactory.Create("none", 1));
    }

    [Theory]
    [InlineData("pbt", "unknown pruner 'pbt'; choose one of none, median, asha, hyperband")]
    [InlineData("asha:eta=1", "pruner 'asha:eta=1': eta must be at least 2, got 1")]
    [InlineData("asha:eta=three", "pruner 'asha:eta=three': eta must be an integer, got 'three'")]
    [InlineData("asha:rate=3", "pruner 'asha:rate=3': unknown setting 'rate' for asha; known: eta, min, bracket")]
    [InlineData("asha:eta", "pruner 'asha:eta': 'eta' is not KEY=VALUE")]
    [InlineData("asha:eta=3,eta=4", "pruner 'asha:eta=3,eta=4': 'eta' is given twice")]
    [InlineData("median:startup=-1", "pruner 'median:startup=-1': startup must be at least 0, got -1")]
    [InlineData("hyperband:min=10,max=5", "pruner 'hyperband:min=10,max=5': max must be at least min (10), got 5")]
    [InlineData("none:eta=3", "pruner 'none:eta=3': none takes no settings")]
    [InlineData(":eta=3", "pruner ':eta=3': the name is missing (NAME or NAME:KEY=VALUE,...)")]
    public void A_bad_spec_is_refused_with_a_message_naming_the_bad_part(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => PrunerFactory.Create(spec, 1));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Hyperband_has_one_bracket_per_power_of_eta_between_min_and_max_and_fills_the_early_stopping_ones_most()
    {
        var hyperband = new HyperbandPruner(minResource: 10, reductionFactor: 3);
        Assert.Equal(1, hyperband.BracketCount(20));
        Assert.Equal(3, hyperband.BracketCount(90));
        Assert.Equal(4, hyperband.BracketCount(270));

        // Hyperband's trials per bracket for K = 3, η = 3: ⌈3·9/3⌉ = 9, ⌈3·3/2⌉ = 5, ⌈3·1/1⌉ = 3.
        var counts = new int[3];
        for (var n = 0; n < 17_000; n++) counts[hyperband.BracketOf(n, 3)]++;
        Assert.InRange(counts[0], 8_500, 9_500);
        Assert.InRange(counts[1], 4_500, 5_500);
        Assert.InRange(counts[2], 2_600, 3_400);
        Assert.Equal(hyperband.BracketOf(42, 3), hyperband.BracketOf(42, 3));
    }

    [Fact]
    public void Hyperband_compares_a_trial_only_within_its_bracket_and_waits_for_a_complete_trial_to_learn_the_maximum()
    {
        var hyperband = new HyperbandPruner(minResource: 1, reductionFactor: 2);
        var history = new TrialHistory();
        TrialRecord Start()
        {
            var t = new TrialRecord(history.Count, new Dictionary<string, double>());
            history.Add(t);
            return t;
        }

        // No complete trial yet: the number of brackets is unknown and nothing is pruned.
        var first = Start();
        first.Report(1, 0.1);
        var awful = Start();
        awful.Report(1, 100.0);
        Assert.Equal(PruneDecision.Continue, hyperband.Decide(history, awful, StudyDirection.Minimize));

        first.Report(2, 0.1);
        first.Report(4, 0.1);
        first.Finish(TrialState.Complete, 0.1); // max resource 4: brackets 0 (rungs 1, 2, 4), 1 (2, 4), 2 (4)
        var brackets = hyperband.BracketCount(4);
        Assert.Equal(3, brackets);

        // Each new trial is worse at step 1 than all before it. In bracket 0 (first rung at step 1)
        // every one but the first of the bracket is pruned; brackets 1 and 2 decide at steps 2 and 4.
        var decisions = new List<(int Bracket, PruneDecision Decision)>();
        for (var i = 0; i < 60; i++)
        {
            var t = Start();
            t.Report(1, 50.0 + i);
            decisions.Add((hyperband.BracketOf(t.Number, brackets), hyperband.Decide(history, t, StudyDirection.Minimize)));
        }
        Assert.All(decisions.Where(d => d.Bracket > 0), d => Assert.Equal(PruneDecision.Continue, d.Decision));
        Assert.All(decisions.Where(d => d.Bracket == 0).Skip(1), d => Assert.Equal(PruneDecision.Prune, d.Decision));
        Assert.True(decisions.Count(d => d.Bracket == 0) > 20);
    }
}
