using System.Globalization;
using System.Text;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers;

/// <summary>
/// Every combination of the space once, for the paper grid and small spaces. Conditional
/// parameters multiply only the branches where they exist: family × (k for power, q for the
/// thresholded families) is a tree, not a full product. The visiting order is a shuffle fixed by
/// the seed (as Optuna's grid sampler visits in random order), so a partial run still covers the
/// space evenly. Combinations already asked, whatever became of them, are not asked again.
/// </summary>
public sealed class GridSampler : Sampler
{
    /// <summary>Refuse grids larger than this: they are a mistake, not a plan.</summary>
    public const int MaxCombinations = 1_000_000;

    readonly IReadOnlyDictionary<string, double>[] _order;
    readonly HashSet<string> _visited = [];
    int _historySeen;

    /// <exception cref="ArgumentException">A float without a step, or more than <see cref="MaxCombinations"/> combinations.</exception>
    public GridSampler(SearchSpace space, StudyDirection direction = StudyDirection.Minimize, long seed = 0,
        TrialHistory? history = null) : base(space, direction, seed, history)
    {
        var combinations = new List<IReadOnlyDictionary<string, double>>();
        Enumerate(0, new Dictionary<string, double>(StringComparer.Ordinal), combinations);
        _order = combinations.ToArray();
        new SeededRandom((ulong)seed).Shuffle(_order);
    }

    /// <summary>How many combinations the grid has.</summary>
    public int Size => _order.Length;

    protected override Dictionary<string, double> Suggest(int trialNumber, IReadOnlyDictionary<string, double> fixedParams)
    {
        for (; _historySeen < History.Count; _historySeen++)
            _visited.Add(Key(History[_historySeen].Params));
        foreach (var combination in _order)
            if (!_visited.Contains(Key(combination)) && Agrees(combination, fixedParams))
                return new Dictionary<string, double>(combination);
        if (fixedParams.Count > 0)
        {
            // An enqueued trial off the grid: keep the user's values, draw what they left out.
            var rng = SeededRandom.ForTrial(Seed, trialNumber);
            return AssignInOrder(fixedParams, (p, _) => UniformDraw.Draw(p, rng));
        }
        throw new InvalidOperationException($"the grid is exhausted: all {_order.Length} combinations have been asked");
    }

    static bool Agrees(IReadOnlyDictionary<string, double> combination, IReadOnlyDictionary<string, double> fixedParams)
    {
        foreach (var (name, value) in fixedParams)
            if (!combination.TryGetValue(name, out var v) || v != value)
                return false;
        return true;
    }

    void Enumerate(int index, Dictionary<string, double> assigned, List<IReadOnlyDictionary<string, double>> into)
    {
        if (index == Space.Parameters.Count)
        {
            if (into.Count >= MaxCombinations)
                throw new ArgumentException($"the grid has more than {MaxCombinations} combinations; use a coarser step or another sampler");
            into.Add(new Dictionary<string, double>(assigned));
            return;
        }
        var p = Space.Parameters[index];
        if (!SearchSpace.IsActive(p, assigned))
        {
            Enumerate(index + 1, assigned, into);
            return;
        }
        foreach (var value in GridValues(p))
        {
            assigned[p.Name] = value;
            Enumerate(index + 1, assigned, into);
        }
        assigned.Remove(p.Name);
    }

    static IEnumerable<double> GridValues(ParameterSpec p)
    {
        if (p.Kind == ParameterKind.Categorical)
            return Enumerable.Range(0, p.Choices.Count).Select(i => (double)i);
        if (p.Step is not { } step)
            throw new ArgumentException($"parameter '{p.Name}': a grid needs a step for a float (or make it categorical)");
        var count = (long)Math.Round((p.High - p.Low) / step) + 1;
        if (count > MaxCombinations)
            throw new ArgumentException($"parameter '{p.Name}': {count} grid points are too many for a grid");
        return Enumerable.Range(0, (int)count).Select(i => Math.Min(p.Low + i * step, p.High));
    }

    /// <summary>A canonical text for a combination: values in space order, "-" for an inactive parameter.</summary>
    string Key(IReadOnlyDictionary<string, double> parameters)
    {
        var key = new StringBuilder();
        foreach (var p in Space.Parameters)
            key.Append(parameters.TryGetValue(p.Name, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "-").Append('|');
        return key.ToString();
    }
}
