namespace BeyondNll.Training.Trainer;

/// <summary>What one optimizer step did. Reported after every step.</summary>
/// <param name="Step">1-based step number.</param>
/// <param name="MeanP">Mean probability of the response labels in this step's batch, before the update.</param>
/// <param name="Seconds">Wall time of the whole step.</param>
/// <param name="LossSeconds">Of that, the head and the objective (see <see cref="Objectives.LossStats.Seconds"/>).</param>
public sealed record StepProgress(int Step, int Steps, double Loss, double GradNorm, double LearningRate,
    double TokensPerSecond, double MeanP, double Seconds, double LossSeconds);

/// <summary>The outcome of a finished training run.</summary>
/// <param name="Steps">Steps trained by this run (after <paramref name="ResumedFrom"/>, when it resumed a checkpoint).</param>
/// <param name="FinalTrainLoss">Mean loss over the last 10% of steps (at least one), less noisy than the last step.</param>
/// <param name="ResumedFrom">The checkpoint's step the run went on from; 0 when it started fresh.</param>
public sealed record TrainingResult(int Steps, double FinalTrainLoss, double Seconds, double TokensPerSecond,
    IReadOnlyList<StepProgress> History, int ResumedFrom = 0);

/// <summary>The loss or gradient became NaN or infinite: the run stops instead of training on garbage.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
