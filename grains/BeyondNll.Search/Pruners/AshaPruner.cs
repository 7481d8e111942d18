using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Pruners;

/// <summary>
/// Asynchronous successive halving (ASHA; Li et al. 2020), as Optuna's SuccessiveHalvingPruner.
/// Rung r is reached at step MinResource · ReductionFactor^(Bracket + r). A trial reaching a rung
/// is promoted, i.e. continues, only if its value there is within the best 1/ReductionFactor of
/// all values recorded at that rung so far (with fewer than ReductionFactor values, only the best
/// is promoted); otherwise it is pruned. A trial's value at a rung is its value at the first step
/// it reported at or after the rung's step, so the rungs are read from the history, not kept aside.
/// </summary>
public sealed class AshaPruner : IPruner
{
    /// <param name="minResource">Steps before the first rung (r in the ASHA paper).</param>
    /// <param name="reductionFactor">η: the share 1/η of a rung is promoted.</param>
    /// <param name="bracket">Minimum early-stopping rate s: the first rung is at MinResource · η^s.</param>
    public AshaPruner(int minResource = 1, int reductionFactor = 4, int bracket = 0)
    {
        if (minResource < 1) throw new ArgumentException($"min resource must be at least 1, got {minResource}");
        if (reductionFactor < 2) throw new ArgumentException($"reduction factor must be at least 2, got {reductionFactor}");
        if (bracket < 0) throw new ArgumentException($"bracket must be zero or more, got {bracket}");
        (MinResource, ReductionFactor, Bracket) = (minResource, reductionFactor, bracket);
    }

    public int MinResource { get; }
    public int ReductionFactor { get; }
    public int Bracket { get; }

    /// <summary>The step at which rung <paramref name="rung"/> is reached.</summary>
    public long RungStep(int rung) => MinResource * (long)Math.Pow(ReductionFactor, Bracket + rung);

    public PruneDecision Decide(TrialHistory history, TrialRecord trial, StudyDirection direction) =>
        Decide(history.Trials, trial, direction);

    /// <summary>The decision against <paramref name="peers"/> only (Hyperband compares a trial within its bracket).</summary>
    internal PruneDecision Decide(IEnumerable<TrialRecord> peers, TrialRecord trial, StudyDirection direction)
    {
        if (trial.LastIntermediate is not var (step, _))
            return PruneDecision.Continue;
        var sign = direction.Sign();
        for (var rung = 0; RungStep(rung) <= step; rung++)
        {
            var rungStep = (int)RungStep(rung);
            var value = trial.IntermediateAtOrAfter(rungStep)!.Value;
            if (trial.Intermediate.Keys.Count(s => s >= rungStep) > 1)
                continue; // decided at an earlier report: promoted then, or this trial would have stopped
            if (double.IsNaN(value))
                return PruneDecision.Prune;
            if (!IsPromotable(sign * value, RungValues(peers, trial, rungStep, sign)))
                return PruneDecision.Prune;
        }
        return PruneDecision.Continue;
    }

    /// <summary>Sign-adjusted values of the other trials that reached the rung, plus room for this one.</summary>
    static List<double> RungValues(IEnumerable<TrialRecord> peers, TrialRecord trial, int rungStep, double sign)
    {
        var values = new List<double>();
        foreach (var t in peers)
            if (t.Number != trial.Number && t.IntermediateAtOrAfter(rungStep) is { } v && !double.IsNaN(v))
                values.Add(sign * v);
        return values;
    }

    bool IsPromotable(double value, List<double> others)
    {
        others.Add(value);
        others.Sort();
        var promoted = Math.Max(others.Count / ReductionFactor, 1);
        return value <= others[promoted - 1];
    }
}
