using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Pruners;

/// <summary>
/// Decides, each time a running trial reports an intermediate value, whether to stop it early.
/// Pruners are functions of the trial history (like the samplers), so the decision can be
/// remade after a restart from the stored trials alone.
/// </summary>
public interface IPruner
{
    /// <param name="history">All trials, including <paramref name="trial"/> with its latest report.</param>
    /// <param name="trial">The running trial that just reported.</param>
    PruneDecision Decide(TrialHistory history, TrialRecord trial, StudyDirection direction);
}
