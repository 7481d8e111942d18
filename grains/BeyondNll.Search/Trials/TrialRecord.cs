namespace BeyondNll.Search.Trials;

/// <summary>
/// One trial as the study stores it: its number, state, parameters (internal values: numbers,
/// or choice indices for categoricals; only the active parameters), final value and intermediate
/// values by step. Samplers and pruners are functions of a list of these, so persisting the
/// records is enough to rebuild a search.
/// </summary>
public sealed class TrialRecord
{
    readonly SortedList<int, double> _intermediate = [];

    public TrialRecord(int number, IReadOnlyDictionary<string, double> parameters,
        TrialState state = TrialState.Running, double? value = null)
    {
        Number = number;
        Params = parameters;
        State = state;
        Value = value;
    }

    public int Number { get; }
    public IReadOnlyDictionary<string, double> Params { get; }
    public TrialState State { get; private set; }

    /// <summary>The final value, for a complete trial.</summary>
    public double? Value { get; private set; }

    /// <summary>Intermediate values reported at steps, in step order.</summary>
    public IReadOnlyDictionary<int, double> Intermediate => _intermediate;

    /// <summary>The last reported (step, value), if any: how a pruned trial is ranked.</summary>
    public (int Step, double Value)? LastIntermediate =>
        _intermediate.Count == 0 ? null : (_intermediate.Keys[^1], _intermediate.Values[^1]);

    /// <summary>The value reported at the first step at or after <paramref name="step"/>, if it reached it.</summary>
    public double? IntermediateAtOrAfter(int step)
    {
        var keys = _intermediate.Keys;
        int lo = 0, hi = keys.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (keys[mid] < step) lo = mid + 1; else hi = mid;
        }
        return lo < keys.Count ? _intermediate.Values[lo] : null;
    }

    public bool IsFinished => State != TrialState.Running;

    /// <summary>Records an intermediate value; a step reported twice keeps the latest value.</summary>
    public void Report(int step, double value)
    {
        EnsureRunning("report to");
        if (step < 0)
            throw new ArgumentException($"trial {Number}: step must be zero or more, got {step}");
        _intermediate[step] = value;
    }

    /// <summary>Finishes the trial. A NaN value marks it failed, as Optuna does.</summary>
    public void Finish(TrialState state, double? value = null)
    {
        EnsureRunning("tell");
        if (state == TrialState.Running)
            throw new ArgumentException("a trial cannot be finished as running");
        if (state == TrialState.Complete && value is not { } v)
            throw new ArgumentException($"trial {Number}: a complete trial needs a value");
        if (state == TrialState.Complete && double.IsNaN(value!.Value))
            (state, value) = (TrialState.Failed, null);
        State = state;
        Value = state == TrialState.Complete ? value : null;
    }

    void EnsureRunning(string verb)
    {
        if (IsFinished)
            throw new InvalidOperationException($"trial {Number} is already {State.ToString().ToLowerInvariant()}; cannot {verb} it again");
    }
}
