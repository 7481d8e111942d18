using BeyondNll.Grains;
using BeyondNll.Search.Spaces;

namespace BeyondNll.Studies.Tests;

/// <summary>Pruning, the confirmation, and what a change stores.</summary>
public class OutcomeTests
{
    [Fact]
    public void The_median_pruner_stops_a_trial_below_the_median_of_finished_ones_and_never_a_confirmation()
    {
        var d = new Driver(Driver.Request(trials: 6, parallel: 1, pruner: "median", confirm: 1, confirmSeeds: 2));
        // Three good trials whose curves reach 0.8 at step 25.
        for (var i = 0; i < 3; i++)
        {
            var spec = d.StartNext()!;
            Assert.True(d.Model.Report(spec.Number, Driver.KeyOf(spec), 25, 0.8));
            d.Complete(spec, 0.85);
        }
        var weak = d.StartNext()!;
        Assert.False(d.Model.Report(weak.Number, Driver.KeyOf(weak), 25, 0.1)); // below the median: stop
        Assert.Equal(25, d.Model.Trials[weak.Number].Step);
        d.End(weak, TrialRunState.Pruned, null, "pruned at step 25");
        Assert.Equal(TrialRunState.Pruned, d.Model.Trials[weak.Number].State);

        // A report of an attempt that is no longer its trial's current one asks it to stop.
        Assert.False(d.Model.Report(weak.Number, Driver.KeyOf(weak), 50, 0.9));

        while (d.StartNext() is { } next) d.Complete(next, 0.85);
        Assert.True(d.Model.PlanConfirmationWhenDue());
        var confirm = d.StartNext()!;
        Assert.Equal(TrialRoles.Confirm, d.Model.Trials[confirm.Number].Role);
        // Confirmation trials run in full: intermediate values are recorded but never prune.
        Assert.True(d.Model.Report(confirm.Number, Driver.KeyOf(confirm), 25, 0.0));
        Assert.Equal(0.0, d.Model.Trials[confirm.Number].Curve.Single(p => p.Step == 25).Value);
    }

    [Fact]
    public void An_intermediate_value_is_in_the_trials_curve_at_once_and_an_older_snapshot_of_the_curve_does_not_drop_it()
    {
        var d = new Driver(Driver.Request(trials: 5, parallel: 1, pruner: "median"));
        var first = d.StartNext()!;
        Assert.True(d.Model.Report(first.Number, Driver.KeyOf(first), 25, 0.4));
        Assert.Equal([(25, (double?)null, (double?)0.4)], d.Model.Trials[0].Curve.Select(p => (p.Step, p.TrainLoss, p.Value)));

        // The trial grain's curve, polled before it sent step 50's value: the losses join, the value stays.
        Assert.True(d.Model.Report(first.Number, Driver.KeyOf(first), 50, 0.5));
        d.Model.Progress(d.Model.Trials[0], new TrialProgress(TrialRunState.Running, 40, 100, 1.6, 0.4, "cpu:0", 0, 4001,
            [new CurvePoint(10, 2.0, null), new CurvePoint(25, 1.8, 0.4), new CurvePoint(40, 1.6, null)]));
        Assert.Equal([(10, 2.0, null), (25, 1.8, 0.4), (40, 1.6, null), (50, (double?)null, (double?)0.5)],
            d.Model.Trials[0].Curve.Select(p => (p.Step, p.TrainLoss, p.Value)));

        // A restarted study's pruner reads the values back from the curves: a trial below them is stopped.
        d.Complete(first, 0.6);
        for (var i = 0; i < 2; i++)
        {
            var spec = d.StartNext()!;
            Assert.True(d.Model.Report(spec.Number, Driver.KeyOf(spec), 25, 0.8));
            d.Complete(spec, 0.85);
        }
        d.Reload();
        var weak = d.StartNext()!;
        Assert.False(d.Model.Report(weak.Number, Driver.KeyOf(weak), 25, 0.1));
    }

    [Fact]
    public void A_trial_stored_with_its_intermediate_values_apart_gets_them_in_its_curve_when_it_loads()
    {
        var d = new Driver(Driver.Request(trials: 1, parallel: 1));
        var spec = d.StartNext()!;
        d.Complete(spec, 0.6);
        d.Model.TakeChanges();
        // As the version before stored it: every value the pruner saw apart, the curve the last snapshot (step 75's value missing).
        var stored = System.Text.Json.JsonSerializer.Deserialize<StudyTrial>(System.Text.Json.JsonSerializer.Serialize(d.Model.Trials[0]))!;
        stored.Curve = [new CurvePoint(25, 1.8, 0.4), new CurvePoint(50, 1.7, 0.5)];
#pragma warning disable CS0618 // the old field, as an old record has it
        stored.Intermediate = new Dictionary<int, double> { [25] = 0.4, [50] = 0.5, [75] = 0.55 };
        var upgraded = StoredStudies.Upgrade(d.Model.Record, [stored]);
        Assert.Null(upgraded.Trials[0].Intermediate);
#pragma warning restore CS0618
        Assert.Equal([(25, (double?)1.8, (double?)0.4), (50, 1.7, 0.5), (75, null, 0.55)], upgraded.Trials[0].Curve.Select(p => (p.Step, p.TrainLoss, p.Value)));
        Assert.Equal([0], upgraded.ChangedTrials); // written back in the new form
    }

    [Fact]
    public void After_the_search_the_best_nll_and_best_other_configurations_rerun_on_fresh_seeds_then_the_study_finishes()
    {
        var d = new Driver(Driver.Request(trials: 4, parallel: 4, confirm: 1, confirmSeeds: 2, enqueue: ["power:10", "top-p:0.5"]));
        var search = d.StartAll();
        Assert.Equal(4, search.Count);
        Assert.False(d.Model.PlanConfirmationWhenDue()); // trials still running
        var values = new Dictionary<string, double> { ["nll"] = 0.5, ["power:10"] = 0.7, ["top-p:0.5"] = 0.6 };
        foreach (var spec in search) d.Complete(spec, values.GetValueOrDefault(spec.Recipe.Objective, 0.2));

        Assert.True(d.Model.PlanConfirmationWhenDue());
        Assert.False(d.Model.PlanConfirmationWhenDue()); // once
        var confirm = d.StartAll();
        Assert.Equal(["nll", "nll", "power:10", "power:10"], confirm.Select(s => s.Recipe.Objective));
        Assert.Equal([8, 9, 8, 9], confirm.Select(s => s.Recipe.Seed)); // the recipe's seed 7 + 1, + 2
        Assert.All(confirm, s => Assert.Equal(0, s.Evaluations));
        Assert.Equal(4, d.Model.Trials.Count(t => t.Role == TrialRoles.Search)); // the budget counts search trials only
        Assert.False(d.Model.ReadyToFinish);

        foreach (var spec in confirm) d.Complete(spec, spec.Recipe.Objective == "nll" ? 0.50 + spec.Recipe.Seed / 1000.0 : 0.72 + spec.Recipe.Seed / 1000.0);
        Assert.True(d.Model.ReadyToFinish);
        d.Model.Finish();
        var answer = d.Model.Answer()!;
        Assert.True(answer.Confirmed);
        Assert.Equal("power:10", answer.Objective);
        Assert.Equal(0.22, answer.Gain!.Value, 1e-9);
        Assert.Equal(0.7285, answer.Value, 1e-9);
    }

    [Fact]
    public void A_trial_event_stores_that_trial_alone_however_many_trials_the_study_has()
    {
        var d = new Driver(Driver.Request(trials: 400, parallel: 1, sampler: "random"));
        for (var i = 0; i < 300; i++) d.Complete(d.StartNext()!, 0.5);
        d.Model.TakeChanges();

        var spec = d.StartNext()!;
        var started = d.Model.TakeChanges();
        // A new trial: its record, and the study's (its trial count).
        Assert.Equal([300], started.Trials.Select(t => t.Number));
        Assert.True(started.Record);

        Assert.True(d.Model.Report(spec.Number, Driver.KeyOf(spec), 25, 0.4));
        var reported = d.Model.TakeChanges();
        Assert.Equal([300], reported.Trials.Select(t => t.Number));
        Assert.False(reported.Record);

        d.Complete(spec, 0.6);
        var finished = d.Model.TakeChanges();
        Assert.Equal([300], finished.Trials.Select(t => t.Number));
        Assert.False(finished.Record);
        Assert.False(d.Model.TakeChanges().Any);
    }

    [Fact]
    public void Changes_that_could_not_be_stored_are_taken_again_until_they_are()
    {
        var d = new Driver(Driver.Request(trials: 4, parallel: 2, sampler: "random"));
        var first = d.StartNext()!;
        var second = d.StartNext()!;
        d.Model.TakeChanges();

        // The outcome is applied, and the write of what it changed fails: the store was away.
        d.Complete(first, 0.6);
        var failed = d.Model.TakeChanges();
        d.Model.NotStored(failed);
        // Another change comes before the next save: it is stored with the one handed back.
        d.Complete(second, 0.7);
        var next = d.Model.TakeChanges();

        Assert.Equal([first.Number, second.Number], next.Trials.Select(t => t.Number));
        Assert.Equal(0.6, next.Trials[0].Value);
        Assert.Equal(failed.Record || next.Record, next.Record);
        Assert.False(d.Model.TakeChanges().Any);
    }

    [Fact]
    public void A_space_of_recipe_fields_gives_each_trial_its_own_recipe()
    {
        var space = SearchSpace.FromJson("""
            {"params": [
              {"name": "objective", "type": "categorical", "choices": ["nll", "power:1"]},
              {"name": "batch_size", "type": "int", "low": 4, "high": 32, "log": true},
              {"name": "warmup", "type": "float", "low": 0, "high": 0.3},
              {"name": "dtype", "type": "categorical", "choices": ["float32", "bfloat16"]}
            ]}
            """);
        var d = new Driver(Driver.Request(trials: 8, parallel: 8, space: space, sampler: "random"));
        var started = d.StartAll();
        Assert.Equal(8, started.Count);
        foreach (var spec in started)
        {
            var sampled = System.Text.Json.JsonDocument.Parse(spec.ParamsJson).RootElement;
            if (sampled.TryGetProperty("batch_size", out var batch)) Assert.Equal(batch.GetInt32(), spec.Recipe.BatchSize);
            if (sampled.TryGetProperty("warmup", out var warmup)) Assert.Equal(warmup.GetDouble(), spec.Recipe.WarmupFraction);
            if (sampled.TryGetProperty("dtype", out var dtype)) Assert.Equal(dtype.GetString(), spec.Recipe.Dtype);
            Assert.Equal(d.Model.BaseRecipe.Steps, spec.Recipe.Steps);
        }
        Assert.Contains(started.Skip(1), s => s.Recipe.BatchSize != d.Model.BaseRecipe.BatchSize);
    }
}
