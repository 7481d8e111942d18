using System.Diagnostics;

namespace BeyondNll.Grains;

/// <summary>
/// The silo's trace spans, on the "BeyondNll.Cluster" activity source, where OpenTelemetry (or any
/// ActivityListener) picks them up. A study's spans and its trials' spans join across grains and
/// silos through Orleans' activity propagation (the silo adds it): starting an attempt is a span of
/// the study, the attempt's training a span of its trial grain under it, and the study's handling of
/// the outcome a span under that.
/// </summary>
public static class ClusterTracing
{
    public const string SourceName = "BeyondNll.Cluster";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Span names: what each one covers.</summary>
    public const string StudyStart = "study.start";             // checking, hashing and storing a new study
    public const string StudyStartAttempt = "study.start_attempt"; // asking a trial grain to start a recorded attempt
    public const string TrialAttempt = "trial.attempt";         // one attempt training on its device, to its outcome
    public const string StudyTrialFinished = "study.trial_finished"; // the study recording an attempt's outcome
    public const string StudyFinish = "study.finish";           // telling the backbone and the continuum the answer

    /// <summary>Tag names, with the "bnll." prefix of this project's attributes.</summary>
    public const string StudyTag = "bnll.study", TrialTag = "bnll.trial", AttemptTag = "bnll.attempt", DeviceTag = "bnll.device",
        ObjectiveTag = "bnll.objective", OutcomeTag = "bnll.outcome", ValueTag = "bnll.value";
}
