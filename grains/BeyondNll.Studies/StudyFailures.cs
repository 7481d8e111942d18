using System.Globalization;
using BeyondNll.Grains;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Studies;

/// <summary>
/// How a study treats a failed attempt, by its class (<see cref="TrialFailure"/>): a lost host or
/// worker, or another fault, may pass on another attempt, which resumes the trial's checkpoint; running
/// out of memory, diverging, bad inputs and the time limit would happen again with the same recipe, so
/// the trial fails at once, with a message that says what to change.
/// </summary>
public static class StudyFailures
{
    /// <summary>Whether another attempt may succeed. Outcomes stored before failure classes say so in <see cref="TrialOutcome.Transient"/>.</summary>
    public static bool Retried(TrialOutcome outcome) => outcome.Failure switch
    {
        TrialFailure.Lost or TrialFailure.Fault => true,
        TrialFailure.None => outcome.Transient,
        _ => false,
    };

    /// <summary>The trial's message for a failure it is not retried after: out of memory names the recipe fields that use less.</summary>
    public static string Message(TrialOutcome outcome, TrainingRecipe recipe) => outcome.Failure switch
    {
        TrialFailure.OutOfMemory => $"{outcome.Reason}; not retried with the same recipe. To use less memory: " + LessMemory(recipe),
        _ => outcome.Reason,
    };

    /// <summary>The recipe fields that reduce a run's memory, each with its value now.</summary>
    public static string LessMemory(TrainingRecipe recipe)
    {
        var ways = new List<string>
        {
            $"a smaller batch_size (now {recipe.BatchSize}) or micro_batch_size (now {(recipe.MicroBatchSize == 0 ? "the whole batch" : recipe.MicroBatchSize.ToString(CultureInfo.InvariantCulture))})",
            $"a shorter max_length (now {recipe.MaxLength})",
        };
        if (!recipe.GradientCheckpointing) ways.Add("gradient_checkpointing=true");
        if (recipe.LoraRank == 0) ways.Add("LoRA (lora_rank=16)");
        if (recipe.Dtype != Training.Model.WeightPrecision.BFloat16) ways.Add("dtype=bfloat16");
        return string.Join(", ", ways);
    }
}
