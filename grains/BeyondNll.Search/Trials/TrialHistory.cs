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
    readonly Dictionary<string, ParameterColumn> _columns = new(StringComparer.Ordinal);

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
                _columns[name] = column = new ParameterColumn(absentBefore: trial.Number);
            column.Append(value);
        }
        foreach (var column in _columns.Values)
            if (column.Length < _trials.Count)
                column.Append(double.NaN);
    }

    /// <summary>
    /// The values of <paramref name="parameter"/> in trial order, indexed by trial number; NaN
    /// where a trial lacks it (a conditional parameter whose parent excluded it; no parameter's value
    /// is ever NaN, <see cref="Spaces.ParameterSpec.Contains"/>). Empty when no
    /// trial has it. Valid until the next trial is added.
    /// </summary>
    public ReadOnlyMemory<double> Column(string parameter) =>
        _columns.TryGetValue(parameter, out var column) ? column.Values : ReadOnlyMemory<double>.Empty;

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

    /// <summary>A growable array of one parameter's values (a <see cref="List{T}"/> without the interface to read it through).</summary>
    sealed class ParameterColumn(int absentBefore)
    {
        double[] _values = CreateAbsent(absentBefore);

        public int Length { get; private set; } = absentBefore;
        public ReadOnlyMemory<double> Values => _values.AsMemory(0, Length);

        public void Append(double value)
        {
            if (Length == _values.Length)
                Array.Resize(ref _values, Math.Max(16, 2 * _values.Length));
            _values[Length++] = value;
        }

        static double[] CreateAbsent(int count)
        {
            var values = new double[Math.Max(16, count)];
            Array.Fill(values, double.NaN);
            return values;
        }
    }
}
