namespace BeyondNll.Grains;

/// <summary>One configuration (objective and learning rate) re-run on fresh seeds.</summary>
/// <param name="Name">The objective, with its learning rate: "power:1 @ lr 0.0003".</param>
/// <param name="Role">"baseline" (the best NLL configuration of the search) or "candidate".</param>
/// <param name="StandardError">Null with fewer than two values.</param>
[GenerateSerializer, Immutable, Alias("bnll.ConfirmedConfigurationView")]
public sealed record ConfirmedConfigurationView(string Name, string Objective, double LearningRate, string Role,
    IReadOnlyList<double> Values, double Mean, double? StandardError);

/// <summary>
/// What the confirmation found: the mean ± standard error of each confirmed configuration over the
/// fresh seeds only (the search's own value is left out: it was chosen for being high), the gain of
/// the best challenger over the NLL baseline (signed, positive = better than NLL) and a Welch t test
/// of that gain (two-sided, at <see cref="Alpha"/>). The winner is the challenger when its gain is
/// positive, else NLL.
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
}
