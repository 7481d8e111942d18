namespace BeyondNll.Grains;

/// <summary>
/// A study's one answer to its question — which objective wins against NLL on this backbone and
/// data, and by how much — as status, `best`, the continuum, export and recommend all give it.
/// With a confirmation it is the confirmation's (means over fresh seeds); without one, the search's
/// single trials: the best NLL trial against the best trial of any other objective.
/// </summary>
[GenerateSerializer, Immutable, Alias("bnll.StudyAnswer")]
public sealed record StudyAnswer
{
    /// <summary>The winning objective's spec: the challenger when its gain is positive, else nll.</summary>
    [Id(0)] public required string Objective { get; init; }
    /// <summary>The winner's learning rate.</summary>
    [Id(1)] public double LearningRate { get; init; }
    /// <summary>The winner's value (a mean over seeds when confirmed).</summary>
    [Id(2)] public double Value { get; init; }
    /// <summary>The best objective other than NLL; null when none finished.</summary>
    [Id(3)] public string? Challenger { get; init; }
    [Id(4)] public double? ChallengerLearningRate { get; init; }
    [Id(5)] public double? ChallengerValue { get; init; }
    /// <summary>NLL's value at its best learning rate; null when no NLL trial finished.</summary>
    [Id(6)] public double? NllValue { get; init; }
    [Id(7)] public double? NllLearningRate { get; init; }
    /// <summary>Challenger minus NLL, signed so that positive means better than NLL; null without both.</summary>
    [Id(8)] public double? Gain { get; init; }
    /// <summary>True when the answer is the confirmation's, on fresh seeds.</summary>
    [Id(9)] public bool Confirmed { get; init; }
    /// <summary>With a confirmation: the gain's standard error, the test's p and whether it is beyond noise.</summary>
    [Id(10)] public double? GainStandardError { get; init; }
    [Id(11)] public double? PValue { get; init; }
    [Id(12)] public bool BeyondNoise { get; init; }
}
