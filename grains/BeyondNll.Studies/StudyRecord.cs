using BeyondNll.Grains;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Studies;

/// <summary>
/// A study's small, hot state: its request, where it stands and how many trials it has. It is
/// written on the study's own changes (start, a new trial, the confirmation plan, the end), never
/// per trial event, so a write costs the same at trial 5 as at trial 5,000; each trial is a record
/// of its own (<see cref="StudyTrial"/>), stored apart.
/// </summary>
/// <remarks>
/// Stored as JSON by property name (Orleans' grain storage), so names are kept across versions;
/// versions before the split stored every trial here, in <see cref="Trials"/>, under the type name
/// BeyondNll.Grains.Studies.StudyGrainState (see the silo's stored-type map).
/// </remarks>
public sealed class StudyRecord
{
    public StudyRequest? Request { get; set; }
    public StudyState State { get; set; }
    public DateTimeOffset Created { get; set; }
    public string? Message { get; set; }
    public FileFingerprint? Backbone { get; set; }
    public FileFingerprint? Train { get; set; }
    public FileFingerprint? Val { get; set; }
    /// <summary>The held-out test data, when the study has some (null in records of earlier versions).</summary>
    public FileFingerprint? Test { get; set; }
    public string Dataset { get; set; } = "";
    /// <summary>True once the sampler said it has nothing more to suggest (an exhausted grid).</summary>
    public bool SamplerExhausted { get; set; }
    /// <summary>True once the confirmation trials were added (or there was nothing to confirm).</summary>
    public bool ConfirmationPlanned { get; set; }
    /// <summary>Trials made so far, numbered 0 ... TrialCount - 1, each stored as its own record.</summary>
    public int TrialCount { get; set; }
    /// <summary>The backbone's capability probe on the study's training data, once measured.</summary>
    public ProbeView? Probe { get; set; }

    /// <summary>Every trial, as versions before the split stored them; empty in a current record.</summary>
    public List<StudyTrial> Trials { get; set; } = [];
}

/// <summary>One trial of a study, stored as a record of its own: its parameters, recipe, state, value, intermediate values and attempts.</summary>
/// <remarks>Stored as JSON by property name; before the split it was BeyondNll.Grains.Studies.StudyTrial.</remarks>
public sealed class StudyTrial
{
    public int Number { get; set; }
    /// <summary>Internal parameter values (choice indices for categoricals), as the sampler gave them.</summary>
    public Dictionary<string, double> Params { get; set; } = [];
    public string ParamsJson { get; set; } = "{}";
    /// <summary>How this trial trains: the study's base recipe with its sampled fields and seed. A trial
    /// stored before recipes existed has none in storage and gets one from its old fields when it
    /// loads (<see cref="StoredStudies"/>); every loaded trial has one.</summary>
    public TrainingRecipe Recipe { get; set; } = null!;
    public TrialRunState State { get; set; }
    /// <summary>The metric on validation (what the search selects by).</summary>
    public double? Value { get; set; }
    /// <summary>The metric on the study's held-out test data, when it has some (what it reports).</summary>
    public double? TestValue { get; set; }
    public List<StudyAttempt> Attempts { get; set; } = [];
    public string? Message { get; set; }
    public int Step { get; set; }
    /// <summary>"search", or "confirm" for a re-run on a fresh seed, which the sampler and pruner never see.</summary>
    public string Role { get; set; } = TrialRoles.Search;
    /// <summary>What the completed attempt's workload trained (see <see cref="TrialOutcome.TrainableParameters"/>).</summary>
    public long? TrainableParameters { get; set; }
    public string? WeightDtype { get; set; }
    /// <summary>The learning curve of the attempts that led here: points up to the step the current attempt resumed from, then its own.
    /// Its points with a value are the intermediate values the pruner saw (the study records each as it is reported).</summary>
    public List<CurvePoint> Curve { get; set; } = [];

    [Obsolete("stored by versions before the curve held them; read only to fold into the Curve of an old trial")]
    public Dictionary<int, double>? Intermediate { get; set; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old trial")]
    public string? Objective { get; set; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old trial")]
    public double LearningRate { get; set; }
    [Obsolete("stored by versions before the recipe; read only to make the Recipe of an old trial")]
    public int? Seed { get; set; }

    public StudyAttempt? Current => Attempts.Count == 0 ? null : Attempts[^1];
}

/// <summary>One attempt at a trial, on one device of one silo.</summary>
public sealed class StudyAttempt
{
    public int Attempt { get; set; }
    public string Key { get; set; } = "";
    public string Silo { get; set; } = "";
    public string Device { get; set; } = "";
    public DateTimeOffset Started { get; set; }
    public DateTimeOffset? Ended { get; set; }
    public string Outcome { get; set; } = "running";
    /// <summary>The device's timestamps as the trial grain reported them (see <see cref="TrialOutcome"/>).</summary>
    public DateTimeOffset? WorkStarted { get; set; }
    public DateTimeOffset? WorkEnded { get; set; }
    public DateTimeOffset? Released { get; set; }
    /// <summary>The checkpoint's step the attempt went on from (0 = fresh) and its worker process, as its trial grain reported them.</summary>
    public int ResumedFromStep { get; set; }
    public int? Pid { get; set; }
}
