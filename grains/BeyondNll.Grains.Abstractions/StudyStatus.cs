using BeyondNll.Training.Trainer;

namespace BeyondNll.Grains;

/// <summary>Where a study stands. Names as in `bnll search status --json`.</summary>
public enum StudyState { Pending, Running, Completed, Cancelled, Failed }

/// <summary>Where one trial stands.</summary>
public enum TrialRunState { Pending, Running, Completed, Pruned, Failed, Cancelled }

/// <summary>One attempt at a trial: where it ran and how it ended.</summary>
/// <param name="Started">When the study recorded the attempt, just before asking its trial grain to start.</param>
/// <param name="Ended">When the study recorded how the attempt ended.</param>
/// <param name="WorkStarted">When the workload began on the device (the attempt's silo's clock); null if it never ran.</param>
/// <param name="WorkEnded">When the workload ended on the device, which from then on is idle; same clock.</param>
/// <param name="Released">When the attempt freed the device for the next one; same clock.</param>
/// <param name="ResumedFromStep">The checkpoint's step the attempt went on from; 0 when it started fresh.</param>
/// <param name="Pid">The attempt's worker process (null for the simulated workload, which runs in the silo).</param>
[GenerateSerializer, Immutable, Alias("bnll.AttemptView")]
public sealed record AttemptView(int Attempt, string Silo, string Device, DateTimeOffset Started, DateTimeOffset? Ended, string Outcome,
    DateTimeOffset? WorkStarted = null, DateTimeOffset? WorkEnded = null, DateTimeOffset? Released = null,
    int ResumedFromStep = 0, int? Pid = null);

[GenerateSerializer, Immutable, Alias("bnll.TrialView")]
public sealed record TrialView
{
    [Id(0)] public int Number { get; init; }
    /// <summary>How the trial trains: the study's base recipe with the trial's sampled fields and seed.</summary>
    [Id(14)] public required TrainingRecipe Recipe { get; init; }
    /// <summary>The trial's active parameters as a JSON object (numbers, and categoricals as their choices).</summary>
    [Id(2)] public required string ParamsJson { get; init; }
    [Id(3)] public TrialRunState State { get; init; }
    /// <summary>The metric on validation: what the search selects by.</summary>
    [Id(4)] public double? Value { get; init; }
    /// <summary>The metric on the held-out test data, when the study has some: what it reports.</summary>
    [Id(15)] public double? TestValue { get; init; }
    [Id(5)] public IReadOnlyList<AttemptView> Attempts { get; init; } = [];
    /// <summary>Steps done of the running attempt, for progress bars.</summary>
    [Id(6)] public int Step { get; init; }
    [Id(8)] public string? Message { get; init; }
    /// <summary>"search" for the sampler's trials, "confirm" for the re-runs on fresh seeds after it.</summary>
    [Id(9)] public string Role { get; init; } = TrialRoles.Search;
    /// <summary>What the completed attempt trained, as its workload reported it (null for the simulated one):
    /// parameters the optimizer updated (the adapters' under LoRA) and the weights' dtype.</summary>
    [Id(12)] public long? TrainableParameters { get; init; }
    [Id(13)] public string? WeightDtype { get; init; }
    /// <summary>The learning curve: training loss every 1% of the steps and each intermediate value.</summary>
    [Id(20)] public IReadOnlyList<CurvePoint> Curve { get; init; } = [];
    /// <summary>The curve's intermediate values (the study's metric on validation data, as the pruner saw it), in step order.</summary>
    public IReadOnlyList<(int Step, double Value)> Intermediate =>
        Curve.Where(p => p.Value is not null).Select(p => (p.Step, p.Value!.Value)).ToList();

    public string Objective => Recipe.Objective;
    public double LearningRate => Recipe.LearningRate;
    public int Seed => Recipe.Seed;
    public int Steps => Recipe.Steps;
}

public static class TrialRoles
{
    public const string Search = "search";
    public const string Confirm = "confirm";
}

[GenerateSerializer, Immutable, Alias("bnll.StudyStatus")]
public sealed record StudyStatus
{
    [Id(0)] public required string Study { get; init; }
    [Id(1)] public StudyState State { get; init; }
    [Id(2)] public required string Backbone { get; init; }
    [Id(3)] public IReadOnlyList<TrialView> Trials { get; init; } = [];
    /// <summary>The best finished search trial; null while none has finished.</summary>
    [Id(4)] public TrialView? Best { get; init; }
    /// <summary>The NLL trial the gain is measured against: the best finished NLL search trial.</summary>
    [Id(5)] public TrialView? Baseline { get; init; }
    [Id(6)] public required string Metric { get; init; }
    /// <summary>"maximize" or "minimize": the metric's direction.</summary>
    [Id(7)] public required string Direction { get; init; }
    [Id(8)] public int TrialBudget { get; init; }
    [Id(9)] public int Parallel { get; init; }
    [Id(10)] public string? Message { get; init; }
    [Id(11)] public required string Dataset { get; init; }
    [Id(12)] public DateTimeOffset Created { get; init; }
    [Id(13)] public string Sampler { get; init; } = "";
    [Id(14)] public string Pruner { get; init; } = "";
    /// <summary>The confirmation on fresh seeds once its trials have ended; null without one or while it runs.</summary>
    [Id(15)] public ConfirmationView? Confirmation { get; init; }
    [Id(16)] public int Confirm { get; init; }
    [Id(17)] public int ConfirmSeeds { get; init; }
    /// <summary>The base recipe every trial starts from (the study's request's).</summary>
    [Id(23)] public required TrainingRecipe Recipe { get; init; }
    /// <summary>The study's answer so far: which objective wins against NLL and by how much; null while no trial has finished.</summary>
    [Id(24)] public StudyAnswer? Answer { get; init; }
    /// <summary>torch, or simulated:SECONDS.</summary>
    [Id(25)] public string Workload { get; init; } = "torch";
    /// <summary>The held-out test data, or null when the study has none.</summary>
    [Id(26)] public string? TestPath { get; init; }
    /// <summary>The rate ladder every enqueued objective runs on (the NLL baseline's included).</summary>
    [Id(27)] public IReadOnlyList<double> LearningRates { get; init; } = [];
    /// <summary>Trials with a result before TPE takes over, the enqueued ones included.</summary>
    [Id(28)] public int Startup { get; init; }
    /// <summary>The sampler's seed.</summary>
    [Id(29)] public int Seed { get; init; }

    /// <summary>True for a dry run (simulated workload): its values are made up and never reach best, the continuum or recommend.</summary>
    public bool Simulated => WorkloadKind.Parse(Workload).Kind == "simulated";
    /// <summary>The trial whose trained model is the study's winner (the answer's: see StudyAnswers); null while there is none.</summary>
    [Id(30)] public int? WinnerTrial { get; init; }
    /// <summary>Search trials whose models are kept, best first (the request's).</summary>
    [Id(31)] public int KeepModels { get; init; } = 1;
    /// <summary>The search space as JSON (the request's): what the trials' parameters range over, for importance and plots.</summary>
    [Id(32)] public string SpaceJson { get; init; } = "";
}
