using BeyondNll.Search.Pruners;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Tests;

public class PrunerTests
{
    readonly TrialHistory _history = new();

    TrialRecord Start()
    {
        var t = new TrialRecord(_history.Count, new Dictionary<string, double>());
        _history.Add(t);
        return t;
    }

    PruneDecision Report(IPruner pruner, TrialRecord t, int step, double value, StudyDirection direction = StudyDirection.Minimize)
    {
        t.Report(step, value);
        return pruner.Decide(_history, t, direction);
    }

    [Fact]
    public void Asha_promotes_the_best_share_of_each_rung_and_prunes_the_rest()
    {
        // η = 2, first rung at step 1, second at step 2, third at step 4.
        var asha = new AshaPruner(minResource: 1, reductionFactor: 2);
        var a = Start(); var b = Start(); var c = Start(); var d = Start();

        Assert.Equal(PruneDecision.Continue, Report(asha, a, 1, 0.5)); // alone at rung 0: the best so far
        Assert.Equal(PruneDecision.Prune, Report(asha, b, 1, 0.9));    // 2 values, top 1 promoted: 0.5 wins
        Assert.Equal(PruneDecision.Continue, Report(asha, c, 1, 0.3)); // the new best
        Assert.Equal(PruneDecision.Continue, Report(asha, d, 1, 0.4)); // 4 values, top 2: 0.3, 0.4

        Assert.Equal(PruneDecision.Continue, Report(asha, c, 2, 0.20)); // first at rung 1
        Assert.Equal(PruneDecision.Prune, Report(asha, a, 2, 0.25));    // 0.20 beats it at rung 1
        Assert.Equal(PruneDecision.Continue, Report(asha, c, 3, 0.9));  // between rungs: no decision
    }

    [Fact]
    public void Asha_with_a_bracket_starts_its_first_rung_later_and_follows_the_direction()
    {
        var asha = new AshaPruner(minResource: 2, reductionFactor: 3, bracket: 1); // rungs at 6, 18, ...
        var a = Start(); var b = Start();

        Assert.Equal(6, asha.RungStep(0));
        Assert.Equal(18, asha.RungStep(1));
        Assert.Equal(PruneDecision.Continue, Report(asha, a, 5, 0.1, StudyDirection.Maximize)); // before the first rung
        Assert.Equal(PruneDecision.Continue, Report(asha, a, 6, 0.8, StudyDirection.Maximize));
        Assert.Equal(PruneDecision.Prune, Report(asha, b, 7, 0.7, StudyDirection.Maximize)); // 0.7 < 0.8 when maximising
    }

    [Fact]
    public void Asha_decides_every_rung_a_trial_jumps_over_at_once()
    {
        var asha = new AshaPruner(minResource: 1, reductionFactor: 2);
        var a = Start(); var b = Start();
        Report(asha, a, 1, 0.5);
        Report(asha, a, 2, 0.5);

        // b reports first at step 4: rungs 0 (step 1), 1 (step 2) and 2 (step 4) are all judged on 0.6.
        Assert.Equal(PruneDecision.Prune, Report(asha, b, 4, 0.6));
    }

    [Fact]
    public void Median_prunes_a_trial_worse_than_the_median_of_complete_trials_at_that_step()
    {
        var median = new MedianPruner(startupTrials: 3);
        foreach (var values in new[] { new[] { 1.0, 0.8 }, [1.0, 0.6], [1.0, 0.4] })
        {
            var done = Start();
            for (var step = 0; step < values.Length; step++) done.Report(step, values[step]);
            done.Finish(TrialState.Complete, values[^1]);
        }
        var good = Start();
        var bad = Start();

        Assert.Equal(PruneDecision.Continue, Report(median, good, 1, 0.5)); // median at step 1 is 0.6
        Assert.Equal(PruneDecision.Prune, Report(median, bad, 1, 0.7));
    }

    [Fact]
    public void Median_waits_for_its_startup_trials_and_warmup_steps()
    {
        var median = new MedianPruner(startupTrials: 2, warmupSteps: 2);
        var done = Start();
        done.Report(0, 0.1); done.Report(2, 0.1);
        done.Finish(TrialState.Complete, 0.1);
        var t = Start();

        Assert.Equal(PruneDecision.Continue, Report(median, t, 2, 9.0)); // one complete trial: too early
        var done2 = Start();
        done2.Report(0, 0.1); done2.Report(2, 0.1);
        done2.Finish(TrialState.Complete, 0.1);
        var u = Start();
        Assert.Equal(PruneDecision.Continue, Report(median, u, 0, 9.0)); // warmup
        Assert.Equal(PruneDecision.Prune, Report(median, u, 2, 9.0));
    }

    [Fact]
    public void Invalid_pruner_settings_are_rejected()
    {
        Assert.Equal("reduction factor must be at least 2, got 1", Assert.Throws<ArgumentException>(() => new AshaPruner(reductionFactor: 1)).Message);
        Assert.Equal("min resource must be at least 1, got 0", Assert.Throws<ArgumentException>(() => new AshaPruner(minResource: 0)).Message);
        Assert.Equal("interval steps must be at least 1, got 0", Assert.Throws<ArgumentException>(() => new MedianPruner(intervalSteps: 0)).Message);
    }
}
