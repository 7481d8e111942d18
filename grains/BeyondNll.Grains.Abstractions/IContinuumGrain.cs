namespace BeyondNll.Grains;

/// <summary>
/// The capability continuum (key 0): one entry per backbone × data set × metric, written by every
/// study that finishes (the latest replaces the one before), read by `bnll continuum`, `bnll
/// recommend` and warm starts.
/// </summary>
[Alias("bnll.IContinuumGrain")]
public interface IContinuumGrain : IGrainWithIntegerKey
{
    [Alias("Record")] Task Record(ContinuumEntry entry);

    [Alias("List"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<ContinuumEntry>> List();
}

/// <summary>The value one objective reached in a study: one search trial (n 1) or a confirmed configuration (mean of n seeds).</summary>
[GenerateSerializer, Immutable, Alias("bnll.ObjectiveValue")]
public sealed record ObjectiveValue(string Objective, double LearningRate, string Role, double Mean, double? StandardError, int N);

/// <summary>
/// One point of the continuum. Without a confirmation, the winner and gain come from the search's
/// single trials (<see cref="Confirmed"/> false) and no gain is beyond noise.
/// </summary>
[GenerateSerializer, Immutable, Alias("bnll.ContinuumEntry")]
public sealed record ContinuumEntry
{
    [Id(0)] public required string Backbone { get; init; }
    [Id(1)] public required string Dataset { get; init; }
    [Id(2)] public required string Metric { get; init; }
    [Id(3)] public required string Study { get; init; }
    /// <summary>The backbone's capability probe on the data, when one was measured (not for simulated workloads).</summary>
    [Id(4)] public ProbeView? Probe { get; init; }
    [Id(5)] public required string Winner { get; init; }
    [Id(6)] public required string PaperKey { get; init; }
    [Id(7)] public double WinnerLearningRate { get; init; }
    /// <summary>The best challenger's value minus NLL's, positive = better than NLL (negative when NLL won).</summary>
    [Id(8)] public double? Gain { get; init; }
    [Id(9)] public double? GainStandardError { get; init; }
    [Id(10)] public double? PValue { get; init; }
    [Id(11)] public bool BeyondNoise { get; init; }
    [Id(12)] public bool Confirmed { get; init; }
    /// <summary>Trials the study ran, confirmation included.</summary>
    [Id(13)] public int Trials { get; init; }
    /// <summary>Training steps the study spent, pruned trials counted up to where they stopped.</summary>
    [Id(14)] public long TrainingSteps { get; init; }
    [Id(15)] public IReadOnlyList<ObjectiveValue> Objectives { get; init; } = [];
    [Id(16)] public DateTimeOffset Recorded { get; init; }
    [Id(17)] public string? Challenger { get; init; }
}
