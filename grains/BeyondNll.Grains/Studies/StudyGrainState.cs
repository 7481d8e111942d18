namespace BeyondNll.Grains.Studies;

/// <summary>A study's stored state: its request, where it stands, and every trial with its attempts.</summary>
[GenerateSerializer, Alias("bnll.StudyGrainState")]
public sealed class StudyGrainState
{
    [Id(0)] public StudyRequest? Request { get; set; }
    [Id(1)] public StudyState State { get; set; }
    [Id(2)] public DateTimeOffset Created { get; set; }
    [Id(3)] public string? Message { get; set; }
    [Id(4)] public FileFingerprint? Backbone { get; set; }
    [Id(5)] public FileFingerprint? Train { get; set; }
    [Id(6)] public FileFingerprint? Val { get; set; }
    [Id(7)] public List<StudyTrial> Trials { get; set; } = [];
    [Id(8)] public string Dataset { get; set; } = "";
    /// <summary>True once the sampler said it has nothing more to suggest (an exhausted grid).</summary>
    [Id(9)] public bool SamplerExhausted { get; set; }
    /// <summary>True once the confirmation trials were added (or there was nothing to confirm).</summary>
    [Id(10)] public bool ConfirmationPlanned { get; set; }
}

[GenerateSerializer, Alias("bnll.StudyTrial")]
public sealed class StudyTrial
{
    [Id(0)] public int Number { get; set; }
    /// <summary>Internal parameter values (choice indices for categoricals), as the sampler gave them.</summary>
    [Id(1)] public Dictionary<string, double> Params { get; set; } = [];
    [Id(2)] public string ParamsJson { get; set; } = "{}";
    [Id(3)] public string Objective { get; set; } = "";
    [Id(4)] public double LearningRate { get; set; }
    [Id(5)] public TrialRunState State { get; set; }
    [Id(6)] public double? Value { get; set; }
    [Id(7)] public Dictionary<int, double> Intermediate { get; set; } = [];
    [Id(8)] public List<StudyAttempt> Attempts { get; set; } = [];
    [Id(9)] public string? Message { get; set; }
    [Id(10)] public int Step { get; set; }
    /// <summary>"search", or "confirm" for a re-run on a fresh seed, which the sampler and pruner never see.</summary>
    [Id(11)] public string Role { get; set; } = TrialRoles.Search;
    /// <summary>The training seed, when it is not the study's.</summary>
    [Id(12)] public int? Seed { get; set; }
    /// <summary>What the completed attempt's workload trained (see <see cref="TrialOutcome.TrainableParameters"/>).</summary>
    [Id(13)] public long? TrainableParameters { get; set; }
    [Id(14)] public string? WeightDtype { get; set; }

    public StudyAttempt? Current => Attempts.Count == 0 ? null : Attempts[^1];
}

[GenerateSerializer, Alias("bnll.StudyAttempt")]
public sealed class StudyAttempt
{
    [Id(0)] public int Attempt { get; set; }
    [Id(1)] public string Key { get; set; } = "";
    [Id(2)] public string Silo { get; set; } = "";
    [Id(3)] public string Device { get; set; } = "";
    [Id(4)] public DateTimeOffset Started { get; set; }
    [Id(5)] public DateTimeOffset? Ended { get; set; }
    [Id(6)] public string Outcome { get; set; } = "running";
    /// <summary>The device's timestamps as the trial grain reported them (see <see cref="TrialOutcome"/>).</summary>
    [Id(7)] public DateTimeOffset? WorkStarted { get; set; }
    [Id(8)] public DateTimeOffset? WorkEnded { get; set; }
    [Id(9)] public DateTimeOffset? Released { get; set; }
}
