using BeyondNll.Training.Trainer;

namespace BeyondNll.Grains;

/// <summary>
/// A study's one answer to its question — which objective wins against NLL on this backbone and
/// data, and by how much — as status, `best`, the continuum, export and recommend all give it.
/// With a confirmation it is the confirmation's (means over fresh seeds, the gain paired by seed);
/// without one it is plainly unconfirmed: the search's single trials, the best NLL trial against the
/// best trial of any other objective, each at its own best learning rate. The finalists are chosen
/// on validation; the gain and the values compared are measured on <see cref="Split"/>: the
/// held-out test data when the study has some.
/// </summary>
[GenerateSerializer, Immutable, Alias("bnll.StudyAnswer")]
public sealed record StudyAnswer
{
    /// <summary>The winning objective's spec: the challenger when its gain is positive, else nll.</summary>
    [Id(0)] public required string Objective { get; init; }
    /// <summary>The winner's learning rate.</summary>
    [Id(1)] public double LearningRate { get; init; }
    /// <summary>The winner's value on validation (a mean over seeds when confirmed).</summary>
    [Id(2)] public double Value { get; init; }
    /// <summary>The best objective other than NLL; null when none finished.</summary>
    [Id(3)] public string? Challenger { get; init; }
    [Id(4)] public double? ChallengerLearningRate { get; init; }
    /// <summary>The challenger's value on <see cref="Split"/>.</summary>
    [Id(5)] public double? ChallengerValue { get; init; }
    /// <summary>NLL's value at its best learning rate, on <see cref="Split"/>; null when no NLL trial finished.</summary>
    [Id(6)] public double? NllValue { get; init; }
    [Id(7)] public double? NllLearningRate { get; init; }
    /// <summary>Challenger minus NLL on <see cref="Split"/>, signed so that positive means better than NLL; null without both.</summary>
    [Id(8)] public double? Gain { get; init; }
    /// <summary>True when the answer is the confirmation's, on fresh seeds; false: unconfirmed, single trials.</summary>
    [Id(9)] public bool Confirmed { get; init; }
    /// <summary>With a confirmation: the gain's standard error, the paired test's p and whether it is beyond noise (by the Holm-adjusted p).</summary>
    [Id(10)] public double? GainStandardError { get; init; }
    [Id(11)] public double? PValue { get; init; }
    [Id(12)] public bool BeyondNoise { get; init; }
    /// <summary>The winner's value on the held-out test data (a mean over seeds when confirmed); null without test data.</summary>
    [Id(13)] public double? TestValue { get; init; }
    /// <summary>The winner's whole training recipe (objective, rate and every other field), as a trial of it trained; what export writes.</summary>
    [Id(14)] public TrainingRecipe? Recipe { get; init; }
    /// <summary>With a confirmation: the gain's p, Holm-adjusted over the confirmed challengers, and its 95% interval [low, high].</summary>
    [Id(15)] public double? PAdjusted { get; init; }
    [Id(16)] public IReadOnlyList<double>? Ci95 { get; init; }
    /// <summary>"test" or "validation": where the gain and the compared values are measured.</summary>
    [Id(17)] public string Split { get; init; } = "validation";
}
