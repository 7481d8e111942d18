using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// Bayesian optimisation with a Gaussian process over mixed and conditional spaces: the default
/// sampler. Per ask, as a function of the history, the seed and the trial number only:
/// <list type="number">
/// <item>The first trials come from a space-filling design (<see cref="SpaceFillingDesign"/>). While
/// fewer trials than that have a value after it (trials in flight, failures), a trial is a step from
/// the best trial so far (<see cref="GpOptions.ExtensionStep"/>).</item>
/// <item>Then the trials with a value (<see cref="GpObservations"/>) are encoded
/// (<see cref="SpaceEncoding"/>), their values standardised (<see cref="ValueWarping"/>),
/// and a GP with a mixed Matérn kernel is fitted to them (<see cref="KernelFit"/>).</item>
/// <item>With the constant liar on (a study with trials in parallel), trials still running are believed to take the value the GP expects there
/// (<see cref="GaussianProcess.WithBelieved"/>), so concurrent asks spread out.</item>
/// <item>The trial with the largest expected improvement is asked (<see cref="AcquisitionSearch"/>).</item>
/// </list>
/// From <see cref="GpOptions.TpeFrom"/> trials with a value on, TPE decides instead, on the same
/// history: the GP's cost grows with the cube of the trials, and no GPU search runs that many.
/// </summary>
public sealed class GpSampler : Sampler
{
    readonly SpaceEncoding _encoding;
    readonly SpaceFillingDesign _design;
    readonly AcquisitionSearch _search;
    readonly TpeSampler _tpe;

    public GpSampler(SearchSpace space, GpOptions? options = null, StudyDirection direction = StudyDirection.Minimize,
        long seed = 0, TrialHistory? history = null) : base(space, direction, seed, history)
    {
        Options = options ?? new GpOptions();
        _encoding = new SpaceEncoding(space);
        _design = new SpaceFillingDesign(_encoding.Dimension, seed);
        _search = new AcquisitionSearch(_encoding, Options);
        _tpe = new TpeSampler(space, Options.Tpe, direction, seed, History);
        StartupTrials = Options.StartupTrials ?? Math.Clamp(_encoding.Dimension + 1, 4, 6);
        MinObservations = Options.MinObservations ?? StartupTrials;
    }

    public GpOptions Options { get; }

    /// <summary>Trials numbered below this come from the design.</summary>
    public int StartupTrials { get; }

    /// <summary>With fewer trials with a value than this (trials in flight), the design goes on.</summary>
    public int MinObservations { get; }

    protected override Dictionary<string, double> Suggest(int trialNumber, IReadOnlyDictionary<string, double> fixedParams)
    {
        // Counted before the observations are built: past TpeFrom they are not needed, and at a
        // thousand trials building them was a sixth of an ask.
        if (GpObservations.CountIn(History) >= Options.TpeFrom)
            return _tpe.SuggestFor(trialNumber, fixedParams);
        var observations = GpObservations.From(History, Direction);
        var rng = SeededRandom.ForTrial(Seed, trialNumber);
        if (trialNumber < StartupTrials || observations.Count < MinObservations)
        {
            // Past the design's own trials the model waits only because values are missing (trials
            // in flight): then a step from the best trial so far is worth more than one more design
            // point, and more than the model's choice from so few values.
            var stepFrom = trialNumber >= StartupTrials && Options.ExtensionStep > 0 ? Best : null;
            var encoded = stepFrom is not null
                ? _encoding.Neighbour(_encoding.Encode(stepFrom.Params), rng, Options.ExtensionStep, _encoding.CategoricalFlip, fixedParams)
                : _encoding.Neighbour(_encoding.FromQuantiles(_design.Point(trialNumber)), rng, 0, 0, fixedParams);
            var point = _encoding.Decode(encoded);
            foreach (var (name, value) in fixedParams)
                point[name] = value;
            return point;
        }

        var points = observations.Trials.Select(t => _encoding.Encode(t.Params)).ToArray();
        var values = ValueWarping.Apply(Options.Warp, observations.Values);
        var posterior = KernelFit.Fit(_encoding.IsCategorical, points, values, Options);
        if (Options.BelievePending)
            posterior = posterior.WithBelieved(observations.Running.Select(t => _encoding.Encode(t.Params)).ToArray());
        var incumbents = Enumerable.Range(0, points.Length).OrderBy(i => values[i]).ThenBy(i => i)
            .Select(i => points[i]).ToArray();
        // The best value counts the believed ones: a pending trial expected to improve has claimed
        // that improvement, so the next ask must find its own elsewhere.
        var best = posterior.Values.Min();
        var chosen = _encoding.Decode(_search.Maximise(posterior, best, incumbents, fixedParams, rng));
        foreach (var (name, value) in fixedParams)
            chosen[name] = value; // exactly as given, not as it comes back from the unit axis
        return chosen;
    }
}
