using BeyondNll.Grains;

namespace BeyondNll.Cluster.Tests;

/// <summary>Study statuses as a study grain would report them, for the pure mappings of the console.</summary>
static class StatusSamples
{
    static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static TrialView Trial(int number, string objective, TrialRunState state, double? value, params AttemptView[] attempts) => new()
    {
        Number = number,
        Objective = objective,
        ParamsJson = objective == "nll" ? """{"family":"nll"}""" : """{"family":"power","k":10}""",
        State = state,
        Value = value,
        Attempts = attempts,
        Step = state == TrialRunState.Running ? 40 : 0,
        Steps = 100,
    };

    public static AttemptView Attempt(int n, string silo, string device, string outcome = "completed") =>
        new(n, silo, device, T0.AddMinutes(n), outcome == "running" ? null : T0.AddMinutes(n + 1), outcome);

    /// <summary>A completed study whose best trial, power:10, beat the NLL baseline (accuracy 0.80 against 0.75).</summary>
    public static StudyStatus Completed(string direction = "maximize", string metric = "accuracy")
    {
        var baseline = Trial(0, "nll", TrialRunState.Completed, 0.75, Attempt(1, "silo-a", "cpu:0"));
        var best = Trial(1, "power:10", TrialRunState.Completed, 0.80,
            Attempt(1, "silo-a", "cpu:1", "silo lost"), Attempt(2, "silo-b", "cuda:0"));
        var pruned = Trial(2, "top-p:0.5", TrialRunState.Pruned, 0.4, Attempt(1, "silo-b", "cuda:1", "pruned"));
        return new StudyStatus
        {
            Study = "s1",
            State = StudyState.Completed,
            Backbone = "tiny",
            Trials = [baseline, best, pruned],
            Best = best,
            Baseline = baseline,
            Metric = metric,
            Direction = direction,
            TrialBudget = 3,
            Parallel = 2,
            Dataset = "train.jsonl",
            Created = T0,
            Sampler = "tpe",
            Pruner = "median",
        };
    }

    /// <summary>A study that has just started: nothing finished, the baseline running.</summary>
    public static StudyStatus JustStarted() => new()
    {
        Study = "s0",
        State = StudyState.Running,
        Backbone = "tiny",
        Trials = [Trial(0, "nll", TrialRunState.Running, null, Attempt(1, "silo-a", "cpu:0", "running"))],
        Metric = "accuracy",
        Direction = "maximize",
        TrialBudget = 12,
        Dataset = "train.jsonl",
    };
}
