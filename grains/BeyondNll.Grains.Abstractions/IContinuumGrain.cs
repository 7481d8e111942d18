namespace BeyondNll.Grains;

/// <summary>
/// The capability continuum (key 0): every finished study's point (a study that records again replaces
/// its own), read by `bnll continuum`, `bnll recommend` and warm starts. Simulated studies never
/// record. Per backbone × data set × metric one point counts (StudyEvidence: the confirmed one with
/// the most seeds, then the latest); <see cref="List"/> gives those, <see cref="ListAll"/> every point.
/// </summary>
[Alias("bnll.IContinuumGrain")]
public interface IContinuumGrain : IGrainWithIntegerKey
{
    [Alias("Record")] Task Record(ContinuumEntry entry);

    /// <summary>The points that count, one per backbone × data set × metric.</summary>
    [Alias("List"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<ContinuumEntry>> List();

    /// <summary>Every study's point.</summary>
    [Alias("ListAll"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<ContinuumEntry>> ListAll();
}

/// <summary>The value one objective reached in a study: one search trial (n 1) or a confirmed configuration (mean of n seeds),
/// on validation (<paramref name="Mean"/>) and on held-out test data (<paramref name="TestMean"/>, when the study had some).</summary>
[GenerateSerializer, Immutable, Alias("bnll.ObjectiveValue")]
public sealed record ObjectiveValue(string Objective, double LearningRate, string Role, double Mean, double? StandardError, int N,
    double? TestMean = null);

/// <summary>
/// One point of the continuum: a study's answer (StudyAnswer). Without a confirmation, the winner and
/// gain come from the search's single trials (<see cref="Confirmed"/> false, "unconfirmed") and no
/// gain is beyond noise. The gain is measured on <see cref="Split"/>.
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
    /// <summary>The winner's value on validation, and on held-out test data when the study had some.</summary>
    [Id(18)] public double? Value { get; init; }
    [Id(19)] public double? TestValue { get; init; }
    [Id(20)] public string Split { get; init; } = "validation";
    /// <summary>Seeds both the best challenger and NLL completed in the confirmation (0 unconfirmed): the evidence behind the point.</summary>
    [Id(21)] public int Pairs { get; init; }
    /// <summary>The gain's p Holm-adjusted over the confirmed challengers (what beyond noise is decided by), and its 95% interval.</summary>
    [Id(22)] public double? PAdjusted { get; init; }
    [Id(23)] public IReadOnlyList<double>? Ci95 { get; init; }
}
