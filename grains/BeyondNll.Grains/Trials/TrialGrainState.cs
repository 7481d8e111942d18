namespace BeyondNll.Grains.Trials;

/// <summary>The stored record of one attempt: what it ran and how it ended.</summary>
[GenerateSerializer, Alias("bnll.TrialGrainState")]
public sealed class TrialGrainState
{
    [Id(0)] public TrialSpec? Spec { get; set; }
    [Id(1)] public TrialRunState State { get; set; } = TrialRunState.Pending;
    [Id(2)] public DateTimeOffset? Started { get; set; }
    [Id(3)] public DateTimeOffset? Ended { get; set; }
    [Id(4)] public TrialOutcome? Outcome { get; set; }
}
