using BeyondNll.Grains;
using BeyondNll.Search.Spaces;

namespace BeyondNll.Studies.Tests;

/// <summary>Which trial starts next, how many at once, and how outcomes move trials along.</summary>
public class SchedulingTests
{
    [Fact]
    public void The_nll_baseline_starts_first_then_the_users_guesses_then_the_sampler()
    {
        var d = new Driver(Driver.Request(trials: 5, parallel: 5, enqueue: ["power:10", "top-p:0.5"]));
        var started = d.StartAll();
        Assert.Equal(5, started.Count);
        Assert.Equal(["nll", "power:10", "top-p:0.5"], started.Take(3).Select(s => s.Recipe.Objective));
        // The baseline and the guesses train at the study's learning rate; sampled trials at their own.
        Assert.All(started.Take(3), s => Assert.Equal(3e-4, s.Recipe.LearningRate));
        Assert.Equal([0, 1, 2, 3, 4], started.Select(s => s.Number));
        Assert.All(started, s => Assert.Equal(1, s.Attempt));
    }

    [Fact]
    public void At_most_parallel_trials_run_and_a_finished_one_frees_a_place()
    {
        var d = new Driver(Driver.Request(trials: 6, parallel: 2));
        var first = d.StartAll();
        Assert.Equal(2, first.Count);
        Assert.Null(d.Model.NextAttempt());
        Assert.True(d.Complete(first[0], 0.5));
        Assert.Equal((2, 1), d.Model.NextAttempt());
        Assert.Single(d.StartAll());
    }

    [Fact]
    public void A_spec_carries_the_trials_whole_recipe_and_the_studys_inputs()
    {
        var d = new Driver(Driver.Request());
        var spec = d.StartNext()!;
        Assert.Equal(d.Model.BaseRecipe with { Objective = "nll" }, spec.Recipe);
        Assert.Equal(("/models/b", "b0"), (spec.Backbone.Path, spec.Backbone.Sha256));
        Assert.Equal(("accuracy", 4, "torch"), (spec.Metric, spec.Evaluations, spec.Workload));
        Assert.Equal("s|0|1|S1", d.Model.Trials[0].Current!.Key);
    }

    [Fact]
    public void A_stale_or_repeated_outcome_changes_nothing()
    {
        var d = new Driver(Driver.Request());
        var spec = d.StartNext()!;
        Assert.False(d.Model.Apply(new TrialOutcome { AttemptKey = "s|0|9|S9", Number = 0, State = TrialRunState.Completed, Value = 1, Reason = "" }, d.Now));
        Assert.False(d.Model.Apply(new TrialOutcome { AttemptKey = "x", Number = 42, State = TrialRunState.Completed, Value = 1, Reason = "" }, d.Now));
        Assert.True(d.Complete(spec, 0.5));
        Assert.False(d.Complete(spec, 0.9));
        Assert.Equal(0.5, d.Model.Trials[0].Value);
    }

    [Fact]
    public void A_lost_attempt_is_retried_elsewhere_up_to_three_attempts_then_the_trial_fails()
    {
        var d = new Driver(Driver.Request(trials: 1, parallel: 1));
        for (var attempt = 1; attempt <= StudyModel.MaxAttempts; attempt++)
        {
            var spec = d.StartNext($"S{attempt}")!;
            Assert.Equal((0, attempt), (spec.Number, spec.Attempt));
            Assert.True(d.Model.Lose(d.Model.Trials[0], $"silo S{attempt} is gone", d.Now));
        }
        var trial = d.Model.Trials[0];
        Assert.Equal(TrialRunState.Failed, trial.State);
        Assert.Equal(["failed: silo S1 is gone", "failed: silo S2 is gone", "failed: silo S3 is gone"], trial.Attempts.Select(a => a.Outcome));
        Assert.Null(d.Model.NextAttempt());
        Assert.True(d.Model.ReadyToFinish);
        d.Model.Finish();
        Assert.Equal((StudyState.Failed, "no trial completed"), (d.Model.Record.State, d.Model.Record.Message));
    }

    [Fact]
    public void A_failure_of_the_trial_itself_is_not_retried()
    {
        var d = new Driver(Driver.Request(trials: 1, parallel: 1));
        d.End(d.StartNext()!, TrialRunState.Failed, null, "training diverged", transient: false);
        Assert.Equal(TrialRunState.Failed, d.Model.Trials[0].State);
        Assert.Single(d.Model.Trials[0].Attempts);
    }

    [Fact]
    public void A_grid_that_runs_out_ends_the_study_with_fewer_trials_than_asked()
    {
        var grid = NamedSpaces.CreatePaperGrid();
        var d = new Driver(Driver.Request(trials: 50, parallel: 3, sampler: "grid", space: grid));
        d.RunToEnd(r => r.Objective == "nll" ? 0.5 : 0.4);
        Assert.Equal(NamedSpaces.PaperObjectives.Count, d.Model.Trials.Count);
        Assert.True(d.Model.Record.SamplerExhausted);
        Assert.Equal(StudyState.Completed, d.Model.Record.State);
    }

    [Fact]
    public void Cancel_stops_the_running_attempts_and_ends_every_unfinished_trial()
    {
        var d = new Driver(Driver.Request(trials: 6, parallel: 2));
        var running = d.StartAll();
        d.Complete(running[0], 0.3);
        d.StartNext();
        var stopped = d.Model.Cancel(d.Now);
        Assert.Equal(["s|1|1|S1", "s|2|1|S1"], stopped.Select(a => a.Key));
        Assert.Equal([TrialRunState.Completed, TrialRunState.Cancelled, TrialRunState.Cancelled], d.Model.Trials.Select(t => t.State));
        Assert.Equal(StudyState.Cancelled, d.Model.Record.State);
        Assert.Null(d.Model.NextAttempt());
        // A report from a stopped attempt arrives late: it is stale.
        Assert.False(d.Complete(running[1], 0.9));
        Assert.Empty(d.Model.Cancel(d.Now));
    }

    [Theory]
    [InlineData("tpe")]
    [InlineData("gp")]
    public void A_study_reloaded_from_what_it_stored_goes_on_as_if_it_had_never_stopped(string sampler)
    {
        static double Value(BeyondNll.Training.Trainer.TrainingRecipe r) => r.Objective.StartsWith("power") ? 0.6 + r.LearningRate * 100 : 0.4;
        var straight = new Driver(Driver.Request(trials: 10, parallel: 1, sampler: sampler));
        straight.RunToEnd(Value);

        var stopped = new Driver(Driver.Request(trials: 10, parallel: 1, sampler: sampler));
        for (var i = 0; i < 4; i++) stopped.Complete(stopped.StartNext()!, Value(stopped.Model.Trials[^1].Recipe));
        var inFlight = stopped.StartNext()!;
        stopped.Reload();
        stopped.Complete(inFlight, Value(inFlight.Recipe));
        stopped.RunToEnd(Value);

        Assert.Equal(straight.Model.Trials.Select(t => t.ParamsJson), stopped.Model.Trials.Select(t => t.ParamsJson));
        Assert.Equal(straight.Model.Trials.Select(t => t.Value), stopped.Model.Trials.Select(t => t.Value));
    }
}
