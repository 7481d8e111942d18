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
        Assert.Equal(0.0, d.Model.Trials[confirm.Number].Intermediate[25]);
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
