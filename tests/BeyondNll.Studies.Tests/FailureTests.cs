using BeyondNll.Grains;

namespace BeyondNll.Studies.Tests;

/// <summary>Failure classes, resumed attempts and their curves, and which models a study keeps.</summary>
public class FailureTests
{
    static TrialOutcome Failed(TrialSpec spec, TrialFailure failure, string reason, int resumedFrom = 0, IReadOnlyList<CurvePoint>? curve = null) => new()
    {
        AttemptKey = Driver.KeyOf(spec), Number = spec.Number, Attempt = spec.Attempt, State = TrialRunState.Failed,
        Reason = reason, Failure = failure, ResumedFromStep = resumedFrom, Pid = 4000 + spec.Attempt, Curve = curve ?? [],
    };

    [Theory]
    [InlineData(TrialFailure.OutOfMemory)]
    [InlineData(TrialFailure.Diverged)]
    [InlineData(TrialFailure.Input)]
    [InlineData(TrialFailure.TimeLimit)]
    public void A_failure_that_would_happen_again_with_the_same_recipe_is_not_retried(TrialFailure failure)
    {
        var d = new Driver(Driver.Request(trials: 2, parallel: 1));
        var spec = d.StartNext()!;
        Assert.True(d.Model.Apply(Failed(spec, failure, "it failed"), d.Now));

        var trial = d.Model.Trials[spec.Number];
        Assert.Equal(TrialRunState.Failed, trial.State);
        Assert.Single(trial.Attempts);
        Assert.Equal(1, d.StartNext()!.Number); // the next trial, not this one again
    }

    [Fact]
    public void Out_of_memory_names_the_recipe_fields_that_use_less()
    {
        var d = new Driver(Driver.Request(trials: 1, parallel: 1));
        var spec = d.StartNext()!;
        d.Model.Apply(Failed(spec, TrialFailure.OutOfMemory, "out of memory: worker 77 used 900 MiB, past the silo's limit of 512 MiB"), d.Now);

        var message = d.Model.Trials[spec.Number].Message!;
        Assert.StartsWith("out of memory: worker 77", message);
        foreach (var field in new[] { "batch_size (now 16)", "micro_batch_size", "max_length (now 64)", "gradient_checkpointing=true", "lora_rank", "dtype=bfloat16" })
            Assert.Contains(field, message);
        Assert.Contains("failed: out of memory", d.Model.Trials[spec.Number].Attempts[0].Outcome);
    }

    [Theory]
    [InlineData(TrialFailure.Lost)]
    [InlineData(TrialFailure.Fault)]
    public void A_lost_worker_or_host_and_other_faults_are_retried_up_to_the_limit(TrialFailure failure)
    {
        var d = new Driver(Driver.Request(trials: 1, parallel: 1));
        for (var attempt = 1; attempt <= StudyModel.MaxAttempts; attempt++)
        {
            var spec = d.StartNext()!;
            Assert.Equal((0, attempt), (spec.Number, spec.Attempt));
            d.Model.Apply(Failed(spec, failure, $"worker {attempt} was killed"), d.Now);
        }
        Assert.Equal(TrialRunState.Failed, d.Model.Trials[0].State);
        Assert.Equal(StudyModel.MaxAttempts, d.Model.Trials[0].Attempts.Count);
        Assert.Null(d.StartNext());
    }

    [Theory]
    [InlineData(true, TrialRunState.Pending)]
    [InlineData(false, TrialRunState.Failed)]
    public void An_outcome_without_a_class_is_retried_when_it_says_transient(bool transient, TrialRunState after)
    {
        var d = new Driver(Driver.Request(trials: 1, parallel: 1));
        var spec = d.StartNext()!;
        d.End(spec, TrialRunState.Failed, null, "an outcome of an earlier version", transient);
        Assert.Equal(after, d.Model.Trials[0].State);
    }

    [Fact]
    public void A_resumed_attempt_records_its_step_and_worker_and_keeps_the_curve_up_to_its_checkpoint()
    {
        var d = new Driver(Driver.Request(trials: 1, parallel: 1));
        var first = d.StartNext()!;
        var lost = new[] { new CurvePoint(10, 2.0, null), new CurvePoint(20, 1.8, 0.3), new CurvePoint(30, 1.7, null), new CurvePoint(40, 1.6, null), new CurvePoint(50, 1.5, 0.4) };
        d.Model.Progress(d.Model.Trials[0], new TrialProgress(TrialRunState.Running, 50, 100, 1.5, 0.4, "cpu:0", 0, 4001, lost));
        Assert.Equal((50, 4001), (d.Model.Trials[0].Step, d.Model.Trials[0].Attempts[0].Pid));
        d.Model.Apply(Failed(first, TrialFailure.Lost, "worker 4001 was killed at step 57 (last checkpoint: step 40)", curve: lost), d.Now);

        var second = d.StartNext()!;
        Assert.Equal(2, second.Attempt);
        var resumed = new[] { new CurvePoint(50, 1.49, 0.41), new CurvePoint(60, 1.4, null) };
        d.Model.Progress(d.Model.Trials[0], new TrialProgress(TrialRunState.Running, 60, 100, 1.4, 0.41, "cpu:0", 40, 4002, resumed));
        var trial = d.Model.Trials[0];
        Assert.Equal((40, 4002), (trial.Attempts[1].ResumedFromStep, trial.Attempts[1].Pid));
        Assert.Equal([10, 20, 30, 40, 50, 60], trial.Curve.Select(p => p.Step));
        Assert.Equal(1.49, trial.Curve[4].TrainLoss); // the resumed attempt's, not the lost one's

        d.Model.Apply(new TrialOutcome
        {
            AttemptKey = Driver.KeyOf(second), Number = 0, Attempt = 2, State = TrialRunState.Completed, Value = 0.5, Reason = "completed",
            ResumedFromStep = 40, Pid = 4002, Curve = [.. resumed, new CurvePoint(100, 1.2, null)],
        }, d.Now);
        var view = StudyViews.View(d.Model.Trials[0]);
        Assert.Equal([0, 40], view.Attempts.Select(a => a.ResumedFromStep));
        Assert.Equal([4001, 4002], view.Attempts.Select(a => a.Pid!.Value));
        Assert.Equal([10, 20, 30, 40, 50, 60, 100], view.Curve.Select(p => p.Step));

        // What a restarted study grain reads back.
        d.Reload();
        Assert.Equal([10, 20, 30, 40, 50, 60, 100], d.Model.Trials[0].Curve.Select(p => p.Step));
        Assert.Equal(40, d.Model.Trials[0].Attempts[1].ResumedFromStep);
    }

    [Fact]
    public void The_study_keeps_the_models_of_its_best_trials_and_of_the_confirmed_winners_best_seed()
    {
        var d = new Driver(Driver.Request(trials: 4, parallel: 4, confirm: 1, confirmSeeds: 2, enqueue: ["power:10", "top-p:0.5"]) with { KeepModels = 2 });
        var values = new Dictionary<string, double> { ["nll"] = 0.5, ["power:10"] = 0.7, ["top-p:0.5"] = 0.6 };
        foreach (var spec in d.StartAll()) d.Complete(spec, values.GetValueOrDefault(spec.Recipe.Objective, 0.2));
        var power = d.Model.Trials.Single(t => t.Recipe.Objective == "power:10").Number;
        var topP = d.Model.Trials.Single(t => t.Recipe.Objective == "top-p:0.5").Number;
        Assert.Equal(new[] { power, topP }.Order(), StudyRetention.KeptModels(d.Model).Order());
        Assert.Equal(power, StudyAnswers.WinnerTrial(d.Model)!.Number);

        d.Model.PlanConfirmationWhenDue();
        var confirm = d.StartAll();
        d.Complete(confirm[0], 0.52);
        // While the confirmation runs, any of its completed trials may become the winner's best seed.
        Assert.Contains(confirm[0].Number, StudyRetention.KeptModels(d.Model));
        Assert.False(StudyRetention.Ended(d.Model.Trials[confirm[1].Number]));

        foreach (var (spec, value) in confirm.Skip(1).Zip(new[] { 0.51, 0.71, 0.74 })) d.Complete(spec, value);
        var best = confirm[3].Number; // power:10's seed with 0.74
        Assert.Equal(best, StudyAnswers.WinnerTrial(d.Model)!.Number);
        Assert.Equal(new[] { power, topP, best }.Order(), StudyRetention.KeptModels(d.Model).Order());
        Assert.Equal(best, d.Model.Status().WinnerTrial);
    }

    [Fact]
    public void The_time_limit_goes_to_every_attempt()
    {
        var d = new Driver(Driver.Request(trials: 1, parallel: 1) with { TrialTimeLimit = 90 });
        Assert.Equal(90, d.StartNext()!.TimeLimit);
    }
}
