namespace BeyondNll.Grains;

/// <summary>
/// Everything a search needs, as the console's `bnll search start` gives it. The study grain checks
/// all of it before it stores anything.
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
    /// <summary>Training steps per trial.</summary>
    [Id(10)] public int Steps { get; init; } = 100;
    /// <summary>accuracy (maximised) or nll (validation mean NLL, minimised).</summary>
    [Id(11)] public string Metric { get; init; } = "accuracy";
    /// <summary>torch, or simulated:SECONDS for dry runs and cluster tests.</summary>
    [Id(12)] public string Workload { get; init; } = "torch";
    [Id(13)] public int Seed { get; init; }
    /// <summary>Learning rate when the space has no lr parameter.</summary>
    [Id(14)] public double LearningRate { get; init; } = 1e-3;
    [Id(15)] public int BatchSize { get; init; } = 16;
    [Id(16)] public int MaxLength { get; init; } = 64;
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
    // The real-backbone settings of every trial, as `bnll train` takes them (see TuningSettings in the
    // training layer). Null or zero means today's default, so a study stored before they existed,
    // whose fields come back unset, trains as it did: float32, all weights, no checkpointing.
    /// <summary>--dtype: float32 or bfloat16.</summary>
    [Id(24)] public string Dtype { get; init; } = "float32";
    /// <summary>--gradient-checkpointing.</summary>
    [Id(25)] public bool GradientCheckpointing { get; init; }
    /// <summary>--lora-rank (0 = no LoRA).</summary>
    [Id(26)] public int LoraRank { get; init; }
    /// <summary>--lora-alpha.</summary>
    [Id(27)] public double LoraAlpha { get; init; } = 16;
    /// <summary>--lora-targets: comma-separated projections or all-linear.</summary>
    [Id(28)] public string LoraTargets { get; init; } = "all-linear";
}
