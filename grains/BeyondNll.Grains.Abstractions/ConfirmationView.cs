namespace BeyondNll.Grains;

/// <summary>One configuration (objective and learning rate) re-run on fresh seeds.</summary>
/// <param name="Name">The objective, with its learning rate: "power:1 @ lr 0.0003".</param>
/// <param name="Role">"baseline" (the best NLL configuration of the search) or "candidate".</param>
/// <param name="Values">Its values on the confirmation's split (test when the study has test data), one per seed.</param>
/// <param name="StandardError">Null with fewer than two values.</param>
/// <param name="Seeds">The training seed of each value, in the same order: the pairs of the paired test.</param>
/// <param name="ValidationMean">Its mean on validation, shown beside the test mean.</param>
[GenerateSerializer, Immutable, Alias("bnll.ConfirmedConfigurationView")]
public sealed record ConfirmedConfigurationView(string Name, string Objective, double LearningRate, string Role,
    IReadOnlyList<double> Values, double Mean, double? StandardError, IReadOnlyList<int>? Seeds = null, double? ValidationMean = null);

/// <summary>
/// One challenger against the NLL baseline, paired by seed: the mean per-seed gain (positive =
/// better than NLL), its standard error, the paired t test's t, degrees of freedom and two-sided p,
/// that p Holm-adjusted over the family of challengers, and the gain's 95% interval. The test's
/// values are null where it is undefined (fewer than two pairs, or no spread across seeds).
/// </summary>
[GenerateSerializer, Immutable, Alias("bnll.ChallengerComparisonView")]
public sealed record ChallengerComparisonView(string Name, string Objective, double LearningRate, int Pairs, double Gain,
    double? GainStandardError, double? T, double? DegreesOfFreedom, double? PValue, double? PAdjusted, IReadOnlyList<double>? Ci95,
    bool BeyondNoise);

/// <summary>
/// What the confirmation found: the mean ± standard error of each confirmed configuration over the
/// fresh seeds only (the search's own value is left out: it was chosen for being high), measured on
/// <see cref="Split"/>; each challenger compared with the NLL baseline seed by seed
/// (<see cref="Comparisons"/>: a paired t test, Holm-corrected across the challengers); and the best
/// challenger's comparison in the fields of its own (gain, interval, p, adjusted p). The winner is
/// the best challenger when its gain is positive, else NLL; beyond noise when its adjusted p is
/// below <see cref="Alpha"/>. Confirmations stored before issue 14 carry a Welch test and no comparisons.
/// </summary>
[GenerateSerializer, Immutable, Alias("bnll.ConfirmationView")]
public sealed record ConfirmationView
{
    [Id(0)] public required IReadOnlyList<ConfirmedConfigurationView> Configurations { get; init; }
    [Id(1)] public int Seeds { get; init; }
    [Id(2)] public string? Challenger { get; init; }
    [Id(3)] public required string Winner { get; init; }
    [Id(4)] public required string WinnerObjective { get; init; }
    [Id(5)] public double WinnerLearningRate { get; init; }
    [Id(6)] public double? Gain { get; init; }
    [Id(7)] public double? GainStandardError { get; init; }
    [Id(8)] public double? T { get; init; }
    [Id(9)] public double? DegreesOfFreedom { get; init; }
    [Id(10)] public double? PValue { get; init; }
    [Id(11)] public bool BeyondNoise { get; init; }
    [Id(12)] public required string Test { get; init; }
    [Id(13)] public double Alpha { get; init; }
    /// <summary>The best challenger's p, Holm-adjusted over <see cref="Comparisons"/>.</summary>
    [Id(14)] public double? PAdjusted { get; init; }
    /// <summary>The best challenger's gain, 95% interval [low, high]; null when the test is undefined.</summary>
    [Id(15)] public IReadOnlyList<double>? Ci95 { get; init; }
    /// <summary>"test" or "validation": the data the confirmation's values were measured on.</summary>
    [Id(16)] public string Split { get; init; } = "validation";
    /// <summary>Seeds the best challenger and the baseline both completed: the pairs of its test.</summary>
    [Id(17)] public int Pairs { get; init; }
    /// <summary>Every challenger against the baseline, in the order they were planned.</summary>
    [Id(18)] public IReadOnlyList<ChallengerComparisonView> Comparisons { get; init; } = [];
}
