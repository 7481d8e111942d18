using BeyondNll.Training.Trainer;

namespace BeyondNll.Grains;

/// <summary>
/// Everything a search needs, as the console's `bnll search start` gives it: what to search (space,
/// sampler, pruner, budget), how each trial trains (<see cref="Recipe"/>, the base every trial's
/// recipe starts from), what data and metric score it, and the confirmation after the search. The
/// study grain checks all of it (StudyRequestValidator) before it stores anything.
/// </summary>
[GenerateSerializer, Immutable, Alias("bnll.StudyRequest")]
public sealed record StudyRequest
{
    [Id(0)] public required string Name { get; init; }
    /// <summary>A backbone registered with `bnll backbone add`.</summary>
    [Id(1)] public required string Backbone { get; init; }
    [Id(2)] public required string TrainPath { get; init; }
    [Id(3)] public required string ValPath { get; init; }
    /// <summary>The search space as JSON (a named space is resolved by the client).</summary>
    [Id(4)] public required string SpaceJson { get; init; }
    [Id(5)] public string SpaceName { get; init; } = "default";
    [Id(6)] public int Trials { get; init; } = 12;
    /// <summary>Trials in flight at most; fewer when fewer devices are free.</summary>
    [Id(7)] public int Parallel { get; init; } = 4;
    [Id(8)] public string Sampler { get; init; } = "tpe";
    [Id(9)] public string Pruner { get; init; } = "none";
    /// <summary>accuracy (maximised) or nll (validation mean NLL, minimised): a <see cref="Training.Evaluation.StudyMetric"/> name.</summary>
    [Id(11)] public string Metric { get; init; } = "accuracy";
    /// <summary>torch, or simulated:SECONDS for dry runs and cluster tests.</summary>
    [Id(12)] public string Workload { get; init; } = "torch";
    /// <summary>Seeds the sampler; confirmation trials train on seeds counted up from the recipe's.</summary>
    [Id(13)] public int Seed { get; init; }
    /// <summary>Intermediate evaluations per trial, for pruning (0 = none).</summary>
    [Id(17)] public int Evaluations { get; init; } = 4;
    [Id(18)] public string PromptKey { get; init; } = "prompt";
    [Id(19)] public string ResponseKey { get; init; } = "response";
    /// <summary>Objective specs to run right after the NLL baseline (a user's own guesses).</summary>
    [Id(20)] public IReadOnlyList<string> Enqueue { get; init; } = [];
    [Id(21)] public string AnswerFormat { get; init; } = "whole";
    /// <summary>After the search, re-run this many of the best configurations (and the best NLL one) on fresh seeds; 0 = no confirmation.</summary>
    [Id(22)] public int Confirm { get; init; }
    /// <summary>Fresh training seeds per confirmed configuration (seed + 1 ... seed + ConfirmSeeds); at least 2 for a standard error.</summary>
    [Id(23)] public int ConfirmSeeds { get; init; } = 3;
    /// <summary>How every trial trains, before its sampled parameters are set: the objective and every
    /// field the space names are the trial's own, the rest is this. Null only in a study stored before
    /// recipes existed (see <see cref="Legacy"/>), which gets one from its old fields when it loads.</summary>
    [Id(29)] public TrainingRecipe? Recipe { get; init; }
    /// <summary>Held-out test data (JSONL or Parquet), or null: with it, trials are selected on validation and
    /// every value the study reports (the confirmation, the answer, its gain) is measured on test.</summary>
    [Id(32)] public string? TestPath { get; init; }
    /// <summary>The rate ladder: the learning rates at which the NLL baseline and every enqueued objective run,
    /// each at every rung, so that no objective gets a rate the others do not. Empty in a request means the
    /// default (three rungs spanning the space's lr range); a study stored before the ladder has it empty and
    /// runs its baseline at the recipe's rate, as it did.</summary>
    [Id(33)] public IReadOnlyList<double> LearningRates { get; init; } = [];
    /// <summary>Trials with a result before TPE takes over from random sampling, the enqueued ones included;
    /// 0 in a request means scaled to the budget (see StudyProtocol).</summary>
    [Id(34)] public int Startup { get; init; }
    /// <summary>The trained models of this many search trials are kept, best first (with the confirmed winner's); the rest are deleted.</summary>
    [Id(30)] public int KeepModels { get; init; } = 1;
    /// <summary>Seconds one attempt may train before it is stopped and its trial fails (not retried); 0 = no limit.</summary>
    [Id(31)] public double TrialTimeLimit { get; init; }

    /// <summary>
    /// The training settings of a request stored before <see cref="Recipe"/> existed, under their
    /// old names (grain state is stored as JSON by property name). Read once, when such a study
    /// loads, to make its recipe; nothing else reads or writes them. Their initial values are the
    /// types' defaults, so they stay out of new records.
    /// </summary>
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(10)] public int Steps { get; init; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(14)] public double LearningRate { get; init; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(15)] public int BatchSize { get; init; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(16)] public int MaxLength { get; init; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(24)] public string? Dtype { get; init; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(25)] public bool GradientCheckpointing { get; init; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(26)] public int LoraRank { get; init; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(27)] public double LoraAlpha { get; init; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old study")]
    [Id(28)] public string? LoraTargets { get; init; }

    /// <summary>A request stored before recipes existed; see the fields above.</summary>
    public bool Legacy => Recipe is null;
}
