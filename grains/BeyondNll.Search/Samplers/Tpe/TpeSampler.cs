using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers.Tpe;

/// <summary>
/// Tree-structured Parzen Estimator, with Optuna's behaviour as the baseline. Until
/// <see cref="TpeOptions.StartupTrials"/> trials have a result, parameters are drawn uniformly.
/// Then, per ask: rank the trials and split them into good and other (<see cref="ObservationSplit"/>);
/// for each active parameter (or, in multivariate mode, each group of parameters that exist
/// together) fit a density l(x) to the good trials and g(x) to the others
/// (<see cref="ParzenEstimator"/>), draw <see cref="TpeOptions.EiCandidates"/> candidates from
/// l and keep the one with the largest l(x)/g(x), which maximises expected improvement.
/// Parameters are decided in declaration order, so a conditional parameter is sampled only when
/// its parent's value makes it exist, from the trials in which it existed.
/// </summary>
public sealed class TpeSampler : Sampler
{
    readonly Dictionary<string, ParzenAxis> _axes;
    readonly Dictionary<string, ParameterSpec[]> _groupOf;

    public TpeSampler(SearchSpace space, TpeOptions? options = null, StudyDirection direction = StudyDirection.Minimize,
        long seed = 0, TrialHistory? history = null) : base(space, direction, seed, history)
    {
        Options = options ?? new TpeOptions();
        _axes = space.Parameters.ToDictionary(p => p.Name, p => new ParzenAxis(p));
        _groupOf = GroupByCondition(space);
    }

    public TpeOptions Options { get; }

    protected override Dictionary<string, double> Suggest(int trialNumber, IReadOnlyDictionary<string, double> fixedParams)
    {
        var rng = SeededRandom.ForTrial(Seed, trialNumber);
        var split = ObservationSplit.Compute(History, Direction, Options.ConstantLiar, Options.Gamma);
        if (split.CountWithResult < Options.StartupTrials)
            return AssignInOrder(fixedParams, (p, _) => UniformDraw.Draw(p, rng));

        if (!Options.Multivariate)
            return AssignInOrder(fixedParams, (p, _) => SampleJointly([p], split, rng)[0]);

        // Multivariate: the first parameter of a group reached decides the whole group at once.
        var decided = new Dictionary<string, double>(StringComparer.Ordinal);
        return AssignInOrder(fixedParams, (p, _) =>
        {
            if (decided.TryGetValue(p.Name, out var value))
                return value;
            var group = _groupOf[p.Name].Where(q => !fixedParams.ContainsKey(q.Name)).ToArray();
            var values = SampleJointly(group, split, rng);
            for (var a = 0; a < group.Length; a++)
                decided[group[a].Name] = values[a];
            return decided[p.Name];
        });
    }

    /// <summary>TPE's suggestion for a trial of a history it shares with another sampler (the GP sampler hands over to it at large n).</summary>
    internal Dictionary<string, double> SuggestFor(int trialNumber, IReadOnlyDictionary<string, double> fixedParams) =>
        Suggest(trialNumber, fixedParams);

    /// <summary>The TPE step for a set of parameters modelled together; returns their internal values.</summary>
    double[] SampleJointly(IReadOnlyList<ParameterSpec> parameters, ObservationSplit split, SeededRandom rng)
    {
        var names = parameters.Select(p => p.Name).ToArray();
        var axes = names.Select(n => _axes[n]).ToArray();
        var (good, other) = split.Gather(names);
        var l = new ParzenEstimator(axes, good, Options);
        var g = new ParzenEstimator(axes, other, Options);

        var candidates = l.Sample(rng, Options.EiCandidates);
        var logL = l.LogPdf(candidates);
        var logG = g.LogPdf(candidates);
        var best = 0;
        for (var i = 1; i < logL.Length; i++)
            if (logL[i] - logG[i] > logL[best] - logG[best])
                best = i;
        return candidates.Select(axis => axis[best]).ToArray();
    }

    /// <summary>
    /// Parameters under the same conditions always exist together; each such set is one group
    /// for multivariate TPE (Optuna's "group" decomposition, read from the space instead of
    /// inferred from past trials).
    /// </summary>
    static Dictionary<string, ParameterSpec[]> GroupByCondition(SearchSpace space)
    {
        var groups = space.Parameters
            .GroupBy(p => string.Join(";", p.When.Select(c => c.Parent + "=" + string.Join(",", c.AllowedChoices))))
            .Select(g => g.ToArray());
        var groupOf = new Dictionary<string, ParameterSpec[]>(StringComparer.Ordinal);
        foreach (var group in groups)
            foreach (var p in group)
                groupOf[p.Name] = group;
        return groupOf;
    }
}
