using System.Runtime.InteropServices;

namespace BeyondNll.Search.Trials;

/// <summary>
/// The trials of one study in the order they were asked; trial N is the N-th entry. It is the
/// whole state a sampler needs besides its seed.
/// </summary>
public sealed class TrialHistory
{
    readonly List<TrialRecord> _trials = [];

    // Per parameter, its value in every trial (NaN where a trial lacks it), kept as trials are
    // added. TPE reads each parameter across all trials on every ask: a column is one array where
    // the records are a thousand dictionaries, and a trial's parameters never change once asked.
    readonly Dictionary<string, List<double>> _columns = new(StringComparer.Ordinal);

    // Per parameter, the trials that have it in ascending order of its value, ties in trial order,
    // kept as trials are added (an insertion each). TPE's kernels are as wide as the gaps between
    // sorted neighbours; sorting a thousand values afresh on every ask was a sixth of its time.
    readonly Dictionary<string, List<int>> _ascending = new(StringComparer.Ordinal);

    public TrialHistory() { }

    /// <summary>Rebuilds a history from stored records, numbered 0, 1, 2, ... in order.</summary>
    public TrialHistory(IEnumerable<TrialRecord> trials)
    {
        foreach (var t in trials)
            Add(t);
    }

    public int Count => _trials.Count;
    public IReadOnlyList<TrialRecord> Trials => _trials;
    public TrialRecord this[int number] => _trials[number];

    public void Add(TrialRecord trial)
    {
        if (trial.Number != _trials.Count)
            throw new ArgumentException($"trial {trial.Number} added as trial {_trials.Count}; numbers must follow in order");
        _trials.Add(trial);
        foreach (var (name, value) in trial.Params)
        {
            if (!_columns.TryGetValue(name, out var column))
                _columns[name] = column = [.. Enumerable.Repeat(double.NaN, trial.Number)];
            column.Add(value);
            if (!_ascending.TryGetValue(name, out var ascending))
                _ascending[name] = ascending = [];
            ascending.Insert(PositionAfterEquals(ascending, column, value), trial.Number);
        }
        foreach (var column in _columns.Values)
            if (column.Count < _trials.Count)
                column.Add(double.NaN);
    }

    /// <summary>
    /// The values of <paramref name="parameter"/> in trial order, indexed by trial number; NaN
    /// where a trial lacks it (a conditional parameter whose parent excluded it; no parameter's value
    /// is ever NaN, <see cref="Spaces.ParameterSpec.Contains"/>). Empty when no
    /// trial has it. Valid until the next trial is added.
    /// </summary>
    public ReadOnlySpan<double> Column(string parameter) =>
        _columns.TryGetValue(parameter, out var column) ? CollectionsMarshal.AsSpan(column) : [];

    /// <summary>
    /// The numbers of the trials that have <paramref name="parameter"/>, in ascending order of its
    /// value; trials with equal values in trial order. Empty when no trial has it. Valid until the
    /// next trial is added.
    /// </summary>
    public ReadOnlySpan<int> ValueOrder(string parameter) =>
        _ascending.TryGetValue(parameter, out var ascending) ? CollectionsMarshal.AsSpan(ascending) : [];

    /// <summary>Where a new trial's value goes in a value order: after every value not above it, so equals keep trial order.</summary>
    static int PositionAfterEquals(List<int> ascending, List<double> column, double value)
    {
        int low = 0, high = ascending.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (column[ascending[middle]] <= value) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    /// <exception cref="KeyNotFoundException">No trial has that number.</exception>
    public TrialRecord Get(int number) =>
        number >= 0 && number < _trials.Count ? _trials[number]
            : throw new KeyNotFoundException($"trial {number} was never asked");

    /// <summary>The complete trial with the best value; the earliest among equals. Null while none is complete.</summary>
    public TrialRecord? Best(StudyDirection direction)
    {
        var sign = direction.Sign();
        TrialRecord? best = null;
        foreach (var t in _trials)
            if (t.State == TrialState.Complete && (best is null || sign * t.Value!.Value < sign * best.Value!.Value))
                best = t;
        return best;
    }

    /// <summary>Trials that are complete or pruned: the "finished with a result" count TPE's startup phase waits for.</summary>
    public int CountWithResult()
    {
        var n = 0;
        foreach (var t in _trials)
            if (t.State is TrialState.Complete or TrialState.Pruned)
                n++;
        return n;
    }
}
