namespace BeyondNll.Search.Trials;

/// <summary>Where a trial is in its life, as Optuna names the states.</summary>
public enum TrialState
{
    /// <summary>Asked, not yet told: its parameters are being evaluated.</summary>
    Running,

    /// <summary>Told a value.</summary>
    Complete,

    /// <summary>Stopped early by a pruner; ranked by its last intermediate value.</summary>
    Pruned,

    /// <summary>Crashed or diverged; samplers ignore it, except that a grid never repeats it.</summary>
    Failed,
}
