using BeyondNll.Training.Trainer;

namespace BeyondNll.Grains;

/// <summary>One attempt of one trial: how it trains (its recipe, whole), where the inputs are and what they must hash to.</summary>
[GenerateSerializer, Immutable, Alias("bnll.TrialSpec")]
public sealed record TrialSpec
{
    [Id(0)] public required string Study { get; init; }
    [Id(1)] public int Number { get; init; }
    [Id(2)] public int Attempt { get; init; }
    /// <summary>The trial's training recipe: objective, learning rate, steps, batch shape, dtype, LoRA, seed, ...</summary>
    [Id(25)] public required TrainingRecipe Recipe { get; init; }
    [Id(9)] public required string Workload { get; init; }
    /// <summary>The study's metric, by name (a <see cref="Training.Evaluation.StudyMetric"/>).</summary>
    [Id(10)] public required string Metric { get; init; }
    [Id(11)] public int Evaluations { get; init; }
    [Id(12)] public required FileFingerprint Backbone { get; init; }
    [Id(13)] public required FileFingerprint Train { get; init; }
    [Id(14)] public required FileFingerprint Val { get; init; }
    [Id(15)] public string PromptKey { get; init; } = "prompt";
    [Id(16)] public string ResponseKey { get; init; } = "response";
    [Id(17)] public string AnswerFormat { get; init; } = "whole";
    /// <summary>The trial's sampled parameters as JSON (what the study's space named), for the record and the simulated workload.</summary>
    [Id(18)] public string ParamsJson { get; init; } = "{}";
    /// <summary>The device slot reserved for this attempt on the trial's silo.</summary>
    [Id(19)] public required string Device { get; init; }
    /// <summary>The study's held-out test data, scored once at the end of training; null when it has none.</summary>
    [Id(26)] public FileFingerprint? Test { get; init; }
    /// <summary>Seconds an attempt may train before it is stopped and the trial fails; 0 = no limit.</summary>
    [Id(30)] public double TimeLimit { get; init; }
}

/// <summary>A file or folder and the SHA-256 of its content, so a host with other files refuses to train.</summary>
[GenerateSerializer, Immutable, Alias("bnll.FileFingerprint")]
public sealed record FileFingerprint(string Path, string Sha256);

/// <summary>How an attempt ended, reported by the trial grain to its study.</summary>
[GenerateSerializer, Immutable, Alias("bnll.TrialOutcome")]
public sealed record TrialOutcome
{
    [Id(0)] public required string AttemptKey { get; init; }
    [Id(1)] public int Number { get; init; }
    [Id(2)] public int Attempt { get; init; }
    [Id(3)] public TrialRunState State { get; init; }
    [Id(4)] public double? Value { get; init; }
    /// <summary>Why it ended: "completed", or the reason of a failure, prune or cancel.</summary>
    [Id(5)] public required string Reason { get; init; }
    /// <summary>True when the failure may pass on another host or attempt (a lost silo, a device fault).</summary>
    [Id(6)] public bool Transient { get; init; }
    [Id(7)] public double Seconds { get; init; }
    /// <summary>When the workload began and ended on the device, and when the attempt freed the device, by
    /// its silo's clock: the orchestration benchmark's timestamps (null where the attempt never got there).</summary>
    [Id(8)] public DateTimeOffset? WorkStarted { get; init; }
    [Id(9)] public DateTimeOffset? WorkEnded { get; init; }
    [Id(10)] public DateTimeOffset? Released { get; init; }
    /// <summary>What the workload trained, when it says: parameters the optimizer updated and the weights' dtype.</summary>
    [Id(11)] public long? TrainableParameters { get; init; }
    [Id(12)] public string? WeightDtype { get; init; }
    /// <summary>The study's metric on the held-out test data, when the study has some.</summary>
    [Id(13)] public double? TestValue { get; init; }
    /// <summary>What kind of failure ended a failed attempt: the study decides from it whether to run another.</summary>
    [Id(20)] public TrialFailure Failure { get; init; }
    /// <summary>The checkpoint's step the attempt went on from; 0 when it started fresh.</summary>
    [Id(21)] public int ResumedFromStep { get; init; }
    /// <summary>The attempt's worker process, when it ran in one.</summary>
    [Id(22)] public int? Pid { get; init; }
    /// <summary>The attempt's learning curve (from <see cref="ResumedFromStep"/> on).</summary>
    [Id(23)] public IReadOnlyList<CurvePoint> Curve { get; init; } = [];
}

/// <summary>
/// Why an attempt failed, as the study tells failures apart: a lost host or worker and other faults are
/// retried (resuming the trial's checkpoint); running out of memory, diverging, bad inputs and the time
/// limit are not (another attempt with the same recipe would end the same way).
/// </summary>
public enum TrialFailure { None, Lost, Fault, OutOfMemory, Diverged, Input, TimeLimit }

/// <summary>A point of a trial's learning curve: the training loss at a step, and the intermediate value of the study's metric when one was taken there.</summary>
[GenerateSerializer, Immutable, Alias("bnll.CurvePoint")]
public sealed record CurvePoint(int Step, double? TrainLoss, double? Value);

/// <summary>A running attempt's progress, as the trial grain reports it: with the checkpoint it resumed, its worker process and its curve so far.</summary>
[GenerateSerializer, Immutable, Alias("bnll.TrialProgress")]
public sealed record TrialProgress(TrialRunState State, int Step, int Steps, double? Loss, double? LastIntermediate, string Device,
    int ResumedFromStep = 0, int? Pid = null, IReadOnlyList<CurvePoint>? Curve = null);
