namespace BeyondNll.Search.Pruners;

/// <summary>What a pruner says after an intermediate report.</summary>
public enum PruneDecision
{
    Continue,
    Prune,
}
