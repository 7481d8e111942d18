using BeyondNll.Search.Samplers;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Pruners;

/// <summary>
/// Hyperband (Li et al. 2018) run asynchronously, as Optuna's HyperbandPruner: several ASHA
/// brackets side by side, bracket s starting its first rung at MinResource · η^s, so bracket 0
/// stops trials earliest and the last bracket lets every trial run (nearly) in full. Successive
/// halving alone bets on early values ranking trials as their final values do; Hyperband hedges
/// that bet. A trial belongs to one bracket, chosen from its number (weighted so that brackets
/// that stop trials early get more of them, as in the paper), and is compared only with the
/// trials of its bracket.
/// </summary>
/// <remarks>
/// The number of brackets is ⌊log_η(max / min)⌋ + 1. Without a maximum resource given, it is the
/// largest step a complete trial reported, and nothing is pruned before a trial completes (as
/// Optuna's "auto"). With the GP sampler, pruned trials of every rung feed the model
/// (<see cref="Samplers.Gp.GpObservations"/>), which makes this a BOHB-like search.
/// </remarks>
public sealed class HyperbandPruner : IPruner
{
    /// <param name="minResource">Steps before bracket 0's first rung.</param>
    /// <param name="reductionFactor">η: each rung promotes the best 1/η of the trials that reach it.</param>
    /// <param name="maxResource">The steps of a full trial; null: the largest step reported by a complete trial.</param>
    public HyperbandPruner(int minResource = 1, int reductionFactor = 3, int? maxResource = null)
    {
        // One validation of the shared settings: ASHA's.
        _ = new AshaPruner(minResource, reductionFactor);
        if (maxResource is { } max && max < minResource)
            throw new ArgumentException($"max resource must be at least the min resource ({minResource}), got {max}");
        (MinResource, ReductionFactor, MaxResource) = (minResource, reductionFactor, maxResource);
    }

    public int MinResource { get; }
    public int ReductionFactor { get; }
    public int? MaxResource { get; }

    /// <summary>The brackets for a maximum resource: ⌊log_η(max / min)⌋ + 1, at least one.</summary>
    public int BracketCount(int maxResource)
    {
        var count = 1;
        for (var rung = (long)MinResource * ReductionFactor; rung <= maxResource; rung *= ReductionFactor)
            count++;
        return count;
    }

    /// <summary>
    /// The bracket of a trial: a hash of its number, spread over the brackets in proportion to
    /// ⌈K·η^(K−1−s)/(K−s)⌉, Hyperband's number of trials for bracket s of K.
    /// </summary>
    public int BracketOf(int trialNumber, int brackets)
    {
        var budgets = new long[brackets];
        for (var s = 0; s < brackets; s++)
            budgets[s] = (long)Math.Ceiling(brackets * Math.Pow(ReductionFactor, brackets - 1 - s) / (brackets - s));
        var ticket = SeededRandom.ForTrial(0, trialNumber, purpose: 0x4879_7065_7262_616EUL).NextLong(budgets.Sum());
        for (var s = 0; s < brackets; s++)
        {
            ticket -= budgets[s];
            if (ticket < 0)
                return s;
        }
        return brackets - 1;
    }

    public PruneDecision Decide(TrialHistory history, TrialRecord trial, StudyDirection direction)
    {
        var max = MaxResource ?? LargestCompleteStep(history);
        if (max is not { } maxResource)
            return PruneDecision.Continue;
        var brackets = BracketCount(maxResource);
        var bracket = BracketOf(trial.Number, brackets);
        var asha = new AshaPruner(MinResource, ReductionFactor, bracket);
        var peers = history.Trials.Where(t => BracketOf(t.Number, brackets) == bracket);
        return asha.Decide(peers, trial, direction);
    }

    static int? LargestCompleteStep(TrialHistory history)
    {
        int? largest = null;
        foreach (var t in history.Trials)
            if (t.State == TrialState.Complete && t.LastIntermediate is var (step, _) && (largest is null || step > largest))
                largest = step;
        return largest;
    }
}
