using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Pruners;

/// <summary>
/// Prunes a trial whose best intermediate value so far is worse than the median of the complete
/// trials' values at the same step, as Optuna's MedianPruner does. It waits for
/// <see cref="StartupTrials"/> complete trials, ignores the first <see cref="WarmupSteps"/> steps
/// of each trial, checks every <see cref="IntervalSteps"/> steps after that, and needs at least
/// <see cref="MinTrialsAtStep"/> complete trials that reported the step.
/// </summary>
public sealed class MedianPruner : IPruner
{
    public MedianPruner(int startupTrials = 5, int warmupSteps = 0, int intervalSteps = 1, int minTrialsAtStep = 1)
    {
        if (startupTrials < 0) throw new ArgumentException($"startup trials must be zero or more, got {startupTrials}");
        if (warmupSteps < 0) throw new ArgumentException($"warmup steps must be zero or more, got {warmupSteps}");
        if (intervalSteps < 1) throw new ArgumentException($"interval steps must be at least 1, got {intervalSteps}");
        if (minTrialsAtStep < 1) throw new ArgumentException($"min trials at a step must be at least 1, got {minTrialsAtStep}");
        (StartupTrials, WarmupSteps, IntervalSteps, MinTrialsAtStep) = (startupTrials, warmupSteps, intervalSteps, minTrialsAtStep);
    }

    public int StartupTrials { get; }
    public int WarmupSteps { get; }
    public int IntervalSteps { get; }
    public int MinTrialsAtStep { get; }

    public PruneDecision Decide(TrialHistory history, TrialRecord trial, StudyDirection direction)
    {
        if (trial.LastIntermediate is not var (step, _) || step < WarmupSteps || !IsCheckStep(trial, step))
            return PruneDecision.Continue;
        var completeAtStep = new List<double>();
        var complete = 0;
        foreach (var t in history.Trials)
        {
            if (t.State != TrialState.Complete)
                continue;
            complete++;
            if (t.Intermediate.TryGetValue(step, out var v) && !double.IsNaN(v))
                completeAtStep.Add(direction.Sign() * v);
        }
        if (complete == 0 || complete < StartupTrials || completeAtStep.Count < MinTrialsAtStep)
            return PruneDecision.Continue;

        var best = double.PositiveInfinity;
        foreach (var v in trial.Intermediate.Values)
            if (!double.IsNaN(v)) best = Math.Min(best, direction.Sign() * v);
        if (double.IsPositiveInfinity(best) && trial.Intermediate.Values.All(double.IsNaN))
            return PruneDecision.Prune; // only NaNs reported: the trial has diverged
        return best > Median(completeAtStep) ? PruneDecision.Prune : PruneDecision.Continue;
    }

    /// <summary>
    /// Whether this report is the first one at or after a check point (warmup + k·interval), so a
    /// trial reporting at irregular steps is checked once per interval, as Optuna does.
    /// </summary>
    bool IsCheckStep(TrialRecord trial, int step)
    {
        var checkPoint = (step - WarmupSteps) / IntervalSteps * IntervalSteps + WarmupSteps;
        var previous = -1;
        foreach (var s in trial.Intermediate.Keys)
            if (s != step && s > previous) previous = s;
        return previous < checkPoint;
    }

    static double Median(List<double> values)
    {
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
    }
}
