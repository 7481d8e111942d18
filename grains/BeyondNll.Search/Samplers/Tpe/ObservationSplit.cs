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
    ObservationSplit(TrialRecord[] trials, bool[] isGood, int withResult)
    {
        Trials = trials;
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
        var used = new List<TrialRecord>(history.Count);
        var keys = new List<RankKey>(history.Count);
        var withResult = 0;
        foreach (var t in history.Trials)
        {
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

        // Sort by (stage, score, position): ties keep trial order, as numpy's stable argsort does.
        // Keys are structs compared without a delegate: at a thousand trials this sort was a fifth
        // of an ask.
        var order = keys.ToArray();
        Array.Sort(order);
        var isGood = new bool[used.Count];
        var good = Math.Min(gamma(withResult), used.Count);
        for (var r = 0; r < good; r++)
            isGood[order[r].Position] = true;
        return new ObservationSplit(used.ToArray(), isGood, withResult);

        void Add(TrialRecord t, double stageKey, double scoreKey)
        {
            keys.Add(new RankKey(stageKey, scoreKey, used.Count));
            used.Add(t);
        }
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
    /// that have all of them (a conditional parameter is modelled from the trials where it existed).
    /// </summary>
    public (double[][] Good, double[][] Other) Gather(IReadOnlyList<string> names)
    {
        var good = names.Select(_ => new List<double>()).ToArray();
        var other = names.Select(_ => new List<double>()).ToArray();
        var row = new double[names.Count];
        for (var i = 0; i < Trials.Length; i++)
        {
            if (!TryRead(Trials[i].Params, names, row))
                continue;
            var into = IsGood[i] ? good : other;
            for (var a = 0; a < row.Length; a++)
                into[a].Add(row[a]);
        }
        return (good.Select(l => l.ToArray()).ToArray(), other.Select(l => l.ToArray()).ToArray());
    }

    static bool TryRead(IReadOnlyDictionary<string, double> parameters, IReadOnlyList<string> names, double[] row)
    {
        for (var a = 0; a < names.Count; a++)
            if (!parameters.TryGetValue(names[a], out row[a]))
                return false;
        return true;
    }
}
