namespace BeyondNll.Search.Continuum;

/// <summary>
/// One measured point of the capability continuum: a backbone's mean p on a data set, the objective
/// that won its study there (its answer, confirmed or not), and that objective's gain over NLL
/// (positive: better than NLL; negative: NLL won), with its standard error, whether it was beyond
/// noise, the winner's learning rate and whether the answer was confirmed.
/// </summary>
public sealed record ContinuumPoint(string Backbone, string Dataset, double MeanP, string Winner, double Gain,
    double? GainStandardError, bool BeyondNoise, double? LearningRate = null, bool Confirmed = false);
