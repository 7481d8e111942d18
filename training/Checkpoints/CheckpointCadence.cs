using BeyondNll.Training.Trainer;

namespace BeyondNll.Training.Checkpoints;

/// <summary>
/// When a run writes its resumable checkpoints: after every <see cref="Every"/>-th step, and — only when
/// nobody chose the interval — not sooner than <see cref="MinSeconds"/> of training after the previous
/// checkpoint (or the start of training).
/// </summary>
/// <remarks>
/// The default interval, 5% of the steps, is for trials of hours on a GPU: a lost host then costs at
/// most ~5% of one. A short trial gains nothing from it and pays for every write (weights, AdamW's two
/// moments, a flush to disk): the time floor makes a trial shorter than it write no checkpoint, and
/// leaves a trial whose 5% lasts longer than it unchanged. An interval chosen explicitly (the recipe's
/// checkpoint_every, the silo's --checkpoint-every) keeps its exact meaning: its floor is 0, so when it
/// writes depends on the steps alone.
/// </remarks>
/// <param name="Every">Steps between checkpoints (at least 1).</param>
/// <param name="MinSeconds">Least seconds of training between checkpoints; 0 = none.</param>
public readonly record struct CheckpointCadence(int Every, double MinSeconds = 0)
{
    /// <summary>The silo's default --checkpoint-min-seconds.</summary>
    public const int DefaultMinSeconds = 60;

    /// <summary>
    /// A run's cadence: the recipe's checkpoint_every, else the host's --checkpoint-every (both exactly,
    /// without a floor), else every 5% of its steps but at most once per <paramref name="hostMinSeconds"/>.
    /// </summary>
    public static CheckpointCadence Of(TrainingRecipe recipe, int hostEvery = 0, double hostMinSeconds = 0) =>
        recipe.CheckpointEvery > 0 || hostEvery > 0
            ? new CheckpointCadence(recipe.CheckpointInterval(hostEvery))
            : new CheckpointCadence(recipe.CheckpointInterval(), hostMinSeconds);

    /// <summary>
    /// Whether a checkpoint is due after <paramref name="step"/> of <paramref name="steps"/>, the previous
    /// one (or the start of training) <paramref name="secondsSinceLast"/> ago: at an interval's step, once
    /// the floor has passed, never after the last step (the run is done).
    /// </summary>
    public bool Due(int step, int steps, double secondsSinceLast) =>
        step % Every == 0 && step < steps && secondsSinceLast >= MinSeconds;
}
