namespace BeyondNll.Search.Continuum;

/// <summary>
/// One measured point of the capability continuum: a backbone's mean p on a data set, the objective
/// that won its confirmed search there, and that objective's gain over NLL (positive: better than
/// NLL; negative: NLL won), with its standard error and whether it was beyond noise.
/// </summary>
public sealed record ContinuumPoint(string Backbone, string Dataset, double MeanP, string Winner, double Gain,
    double? GainStandardError, bool BeyondNoise);
