using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers;

/// <summary>
/// The bookkeeping all samplers share: the trial history, the queue of enqueued trials, telling
/// and best. A concrete sampler only decides parameters, in <see cref="Suggest"/>, as a function
/// of the space, the history, the seed and the trial number; nothing else is kept between asks,
/// so a sampler built over a stored history continues the search where it stopped.
/// </summary>
public abstract class Sampler : ISampler
{
    readonly Queue<IReadOnlyDictionary<string, double>> _enqueued = new();

    protected Sampler(SearchSpace space, StudyDirection direction, long seed, TrialHistory? history)
    {
        Space = space;
        Direction = direction;
        Seed = seed;
        History = history ?? new TrialHistory();
    }

    public SearchSpace Space { get; }
    public StudyDirection Direction { get; }
    public TrialHistory History { get; }

    /// <summary>The study seed; trial N draws from <see cref="SeededRandom.ForTrial"/>(Seed, N).</summary>
    public long Seed { get; }

    public TrialRecord? Best => History.Best(Direction);

    /// <summary>Parameters queued by <see cref="Enqueue"/> and not yet asked, oldest first.</summary>
    public IReadOnlyCollection<IReadOnlyDictionary<string, double>> Enqueued => _enqueued;

    /// <summary>
    /// Decides the parameters of trial <paramref name="trialNumber"/>: the given fixed values
    /// (from an enqueued trial; usually empty) plus every other parameter that is active.
    /// </summary>
    protected abstract Dictionary<string, double> Suggest(int trialNumber, IReadOnlyDictionary<string, double> fixedParams);

    public TrialRecord Ask()
    {
        var number = History.Count;
        var fixedParams = _enqueued.Count > 0 ? _enqueued.Peek() : Empty;
        // A complete enqueued trial leaves nothing to decide: the model is not asked (a GP's fit
        // costs seconds at a few hundred trials, and a replayed history can be long).
        var parameters = IsComplete(fixedParams)
            ? AssignInOrder(fixedParams, (p, _) => throw new InvalidOperationException($"'{p.Name}' was not enqueued"))
            : Suggest(number, fixedParams);
        if (_enqueued.Count > 0)
            _enqueued.Dequeue();
        var trial = new TrialRecord(number, parameters);
        History.Add(trial);
        return trial;
    }

    public void Tell(int trial, double value) => History.Get(trial).Finish(TrialState.Complete, value);
    public void TellFailed(int trial) => History.Get(trial).Finish(TrialState.Failed);
    public void TellPruned(int trial) => History.Get(trial).Finish(TrialState.Pruned);
    public void Report(int trial, int step, double value) => History.Get(trial).Report(step, value);

    public void Enqueue(IReadOnlyDictionary<string, double> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            if (!Space.TryGet(name, out var spec))
                throw new ArgumentException($"parameter '{name}' is not in the search space");
            if (!spec.Contains(value))
                throw new ArgumentException($"parameter '{name}': {value} is outside {spec.DescribeDomain()}");
        }
        foreach (var (name, _) in parameters)
            if (!SearchSpace.IsActive(Space[name], parameters))
                throw new ArgumentException($"parameter '{name}' is not active for the other values given (see its \"when\")");
        _enqueued.Enqueue(new Dictionary<string, double>(parameters));
    }

    /// <summary>
    /// Walks the space in declaration order (parents before children), keeping fixed values,
    /// skipping inactive parameters and asking <paramref name="draw"/> for the rest. Draw sees the
    /// values assigned so far, so it can condition on them.
    /// </summary>
    protected Dictionary<string, double> AssignInOrder(IReadOnlyDictionary<string, double> fixedParams,
        Func<ParameterSpec, IReadOnlyDictionary<string, double>, double> draw)
    {
        var assigned = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in Space.Parameters)
        {
            if (!SearchSpace.IsActive(p, assigned))
                continue;
            assigned[p.Name] = fixedParams.TryGetValue(p.Name, out var v) ? v : draw(p, assigned);
        }
        return assigned;
    }

    /// <summary>True when <paramref name="parameters"/> gives every parameter that is active for them.</summary>
    bool IsComplete(IReadOnlyDictionary<string, double> parameters) =>
        parameters.Count > 0 && Space.Parameters.All(p => parameters.ContainsKey(p.Name) || !SearchSpace.IsActive(p, parameters));

    static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();
}
