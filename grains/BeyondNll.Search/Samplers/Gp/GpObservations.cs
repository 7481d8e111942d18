using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// What the Gaussian process learns from, read from the trial history: the trials with a value
/// (sign-adjusted, so smaller is better), and the trials still running, which the sampler treats
/// as pending (<see cref="GaussianProcess.WithBelieved"/>). Failed trials are left out, as TPE
/// leaves them out.
/// </summary>
/// <remarks>
/// A pruned trial has no final value, only the intermediate value at which the pruner stopped it.
/// It still says something about its region, so it gets a value from its rank: among the complete
/// trials that reported the same step, the share whose value there was better than the pruned
/// trial's gives a quantile, and the pruned trial gets the complete trials' final value at that
/// quantile. A trial pruned at the first rung for being worse than all others gets the worst final
/// value; one pruned late, narrowly, a value near the median. Without a complete trial at that step
/// it gets the worst final value. This is how every rung of a multi-fidelity search feeds the model.
/// </remarks>
public sealed class GpObservations
{
    GpObservations(List<TrialRecord> trials, List<double> values, List<TrialRecord> running)
    {
        Trials = trials;
        Values = values;
        Running = running;
    }

    /// <summary>Complete and pruned trials, in trial order.</summary>
    public IReadOnlyList<TrialRecord> Trials { get; }

    /// <summary>Per entry of <see cref="Trials"/>: its value, sign-adjusted (smaller is better).</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>Trials asked and not yet told.</summary>
    public IReadOnlyList<TrialRecord> Running { get; }

    public int Count => Trials.Count;

    public static GpObservations From(TrialHistory history, StudyDirection direction)
    {
        var sign = direction.Sign();
        var complete = history.Trials.Where(t => t.State == TrialState.Complete).ToList();
        var finals = complete.Select(t => sign * t.Value!.Value).Order().ToArray();
        var trials = new List<TrialRecord>();
        var values = new List<double>();
        var running = new List<TrialRecord>();
        foreach (var t in history.Trials)
        {
            switch (t.State)
            {
                case TrialState.Complete:
                    trials.Add(t);
                    values.Add(sign * t.Value!.Value);
                    break;
                case TrialState.Pruned when finals.Length > 0:
                    trials.Add(t);
                    values.Add(ValueOfPruned(t, complete, finals, sign));
                    break;
                case TrialState.Running:
                    running.Add(t);
                    break;
            }
        }
        return new GpObservations(trials, values, running);
    }

    /// <summary>How many trials <see cref="From"/> would give a value: the complete ones, and the pruned ones once one is complete.</summary>
    public static int CountIn(TrialHistory history)
    {
        int complete = 0, pruned = 0;
        for (var i = 0; i < history.Count; i++) // by index: the list's enumerator, through its interface, cost more than the count
        {
            var t = history[i];
            if (t.State == TrialState.Complete) complete++;
            else if (t.State == TrialState.Pruned) pruned++;
        }
        return complete > 0 ? complete + pruned : 0;
    }

    /// <summary>The complete trials' final value at the pruned trial's quantile at its last reported step.</summary>
    static double ValueOfPruned(TrialRecord pruned, List<TrialRecord> complete, double[] sortedFinals, double sign)
    {
        if (pruned.LastIntermediate is not var (step, reported) || double.IsNaN(reported))
            return sortedFinals[^1];
        int reachedStep = 0, better = 0;
        foreach (var t in complete)
        {
            if (!t.Intermediate.TryGetValue(step, out var theirs) || double.IsNaN(theirs))
                continue;
            reachedStep++;
            if (sign * theirs < sign * reported)
                better++;
        }
        if (reachedStep == 0)
            return sortedFinals[^1];
        var quantile = (double)better / reachedStep; // 1 when every complete trial was better there
        return sortedFinals[(int)Math.Round(quantile * (sortedFinals.Length - 1))];
    }
}
