using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers.Tpe;

/// <summary>
/// The trials TPE learns from, split into the "good" ones, which shape l(x), and the rest,
/// which shape g(x). Ranking follows Optuna: complete trials first, by value (sign-adjusted so
/// smaller is better); then pruned trials, the ones that got further first, each by its last
/// intermediate value; pruned trials that reported nothing after them; and, under the constant
/// liar, running trials last, as if they had the worst possible value. Failed trials are ignored.
/// The best ⌈γ(n)⌉ are good, n being the trials with a result (complete or pruned).
/// </summary>
public sealed class ObservationSplit
{
    readonly TrialHistory _history;

    // Trials' numbers, entry by entry of Trials: gathering reads them per parameter, and a thousand
    // records scattered on the heap cost more to visit than the gathering itself.
    readonly int[] _numbers;

    ObservationSplit(TrialHistory history, TrialRecord[] trials, bool[] isGood, int withResult)
    {
        _history = history;
        Trials = trials;
        _numbers = Array.ConvertAll(trials, t => t.Number);
        IsGood = isGood;
        CountWithResult = withResult;
    }

    /// <summary>The trials used, in trial order (the weights of older trials depend on it).</summary>
    public TrialRecord[] Trials { get; }

    /// <summary>Per entry of <see cref="Trials"/>: in the good set.</summary>
    public bool[] IsGood { get; }

    /// <summary>Trials with a result: the n of γ(n) and of the startup phase.</summary>
    public int CountWithResult { get; }

    public static ObservationSplit Compute(TrialHistory history, StudyDirection direction, bool constantLiar, Func<int, int> gamma)
    {
        var sign = direction.Sign();
        var used = new TrialRecord[history.Count];
        var keys = new RankKey[history.Count];
        int count = 0, withResult = 0;
        for (var i = 0; i < history.Count; i++)
        {
            var t = history[i];
            switch (t.State)
            {
                case TrialState.Complete:
                    Add(t, double.NegativeInfinity, sign * t.Value!.Value);
                    withResult++;
                    break;
                case TrialState.Pruned:
                    if (t.LastIntermediate is var (step, value))
                        Add(t, -step, double.IsNaN(value) ? double.PositiveInfinity : sign * value);
                    else
                        Add(t, 1, 0);
                    withResult++;
                    break;
                case TrialState.Running when constantLiar:
                    Add(t, double.PositiveInfinity, double.PositiveInfinity);
                    break;
            }
        }

        var isGood = new bool[count];
        foreach (var key in Smallest(keys.AsSpan(0, count), Math.Min(gamma(withResult), count)))
            isGood[key.Position] = true;
        return new ObservationSplit(history, used.AsSpan(0, count).ToArray(), isGood, withResult);

        void Add(TrialRecord t, double stageKey, double scoreKey)
        {
            keys[count] = new RankKey(stageKey, scoreKey, count);
            used[count++] = t;
        }
    }

    /// <summary>
    /// The <paramref name="count"/> smallest keys, in order: the head of the ranking, by insertion
    /// into a sorted list that is never longer than the good set (at most 25). Keys are unique (their
    /// position decides ties, as numpy's stable argsort keeps trial order), so these are exactly the
    /// first <paramref name="count"/> of a full sort, which at a thousand trials took a fifth of an ask.
    /// </summary>
    static RankKey[] Smallest(ReadOnlySpan<RankKey> keys, int count)
    {
        var head = new RankKey[count];
        var filled = 0;
        foreach (var key in keys)
        {
            if (filled == count && (count == 0 || key.CompareTo(head[count - 1]) >= 0))
                continue;
            var at = filled < count ? filled++ : count - 1;
            while (at > 0 && key.CompareTo(head[at - 1]) < 0)
            {
                head[at] = head[at - 1];
                at--;
            }
            head[at] = key;
        }
        return head;
    }

    /// <summary>A trial's place in the ranking: its stage (complete, pruned by step, running), its score, its position in trial order.</summary>
    readonly record struct RankKey(double Stage, double Score, int Position) : IComparable<RankKey>
    {
        public int CompareTo(RankKey other)
        {
            var c = Stage.CompareTo(other.Stage);
            if (c == 0) c = Score.CompareTo(other.Score);
            return c != 0 ? c : Position.CompareTo(other.Position);
        }
    }

    /// <summary>
    /// Values of the given parameters in the good and in the other trials, keeping only trials
    /// that have all of them (a conditional parameter is modelled from the trials where it existed),
    /// with each set's value order read off the history's (<see cref="TrialHistory.ValueOrder"/>)
    /// rather than sorted. Read from the history's columns: no trial's dictionary is opened.
    /// </summary>
    public (ParzenObservations Good, ParzenObservations Other) Gather(IReadOnlyList<string> names)
    {
        var has = new bool[Trials.Length];
        Array.Fill(has, true);
        foreach (var name in names)
        {
            var column = _history.Column(name);
            for (var i = 0; i < Trials.Length; i++)
                has[i] &= _numbers[i] < column.Length && !double.IsNaN(column[_numbers[i]]);
        }

        // By trial number: its index among the good or among the other observations, or -1 if in neither.
        var goodIndex = new int[_history.Count];
        var otherIndex = new int[_history.Count];
        Array.Fill(goodIndex, -1);
        Array.Fill(otherIndex, -1);
        int goodCount = 0, otherCount = 0;
        for (var i = 0; i < Trials.Length; i++)
            if (has[i] && IsGood[i]) goodIndex[_numbers[i]] = goodCount++;
            else if (has[i]) otherIndex[_numbers[i]] = otherCount++;

        var good = (Values: new double[names.Count][], Ascending: new int[names.Count][]);
        var other = (Values: new double[names.Count][], Ascending: new int[names.Count][]);
        for (var a = 0; a < names.Count; a++)
        {
            var column = _history.Column(names[a]);
            var (g, o) = (good.Values[a] = new double[goodCount], other.Values[a] = new double[otherCount]);
            foreach (var number in _numbers)
            {
                if (goodIndex[number] >= 0) g[goodIndex[number]] = column[number];
                else if (otherIndex[number] >= 0) o[otherIndex[number]] = column[number];
            }
            var (gAscending, oAscending) = (good.Ascending[a] = new int[goodCount], other.Ascending[a] = new int[otherCount]);
            int gi = 0, oi = 0;
            foreach (var number in _history.ValueOrder(names[a]))
                if (goodIndex[number] >= 0) gAscending[gi++] = goodIndex[number];
                else if (otherIndex[number] >= 0) oAscending[oi++] = otherIndex[number];
        }
        return (new ParzenObservations(good.Values, good.Ascending), new ParzenObservations(other.Values, other.Ascending));
    }
}
