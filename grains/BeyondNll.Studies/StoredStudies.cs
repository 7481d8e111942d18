using BeyondNll.Grains;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Studies;

/// <summary>
/// Studies stored by earlier versions, brought up to date when they load: the request's training
/// settings become its recipe, each trial's objective, learning rate and seed its own recipe, and
/// the trials the record kept inside it become records of their own. Such a study trains on exactly
/// as it did (the recipe's other fields have the values the old trainer used).
/// </summary>
public static class StoredStudies
{
    /// <summary>What loading changed: the trials to go on with, and which records must be written back.</summary>
    public sealed record Upgraded(List<StudyTrial> Trials, bool RecordChanged, IReadOnlyList<int> ChangedTrials);

    public static Upgraded Upgrade(StudyRecord record, IReadOnlyList<StudyTrial> stored)
    {
        var recordChanged = false;
        if (record.Request!.Legacy)
        {
            record.Request = record.Request with { Recipe = RecipeOf(record.Request) };
            recordChanged = true;
        }
        // Trials kept inside the record (before the split) win over separately stored ones: a split
        // that was cut short wrote some of them apart but did not yet empty the record.
        var trials = record.Trials.Count > 0 ? record.Trials : stored.ToList();
        var changed = new List<int>();
        if (record.Trials.Count > 0)
        {
            changed.AddRange(trials.Select(t => t.Number));
            record.Trials = [];
            recordChanged = true;
        }
        foreach (var trial in trials.Where(t => t.Recipe is null))
        {
            trial.Recipe = RecipeOf(trial, record.Request.Recipe!);
            if (!changed.Contains(trial.Number)) changed.Add(trial.Number);
        }
        foreach (var trial in trials.Where(FoldIntermediate))
            if (!changed.Contains(trial.Number)) changed.Add(trial.Number);
        if (record.TrialCount != trials.Count)
        {
            record.TrialCount = trials.Count;
            recordChanged = true;
        }
        return new Upgraded(trials, recordChanged, changed);
    }

#pragma warning disable CS0618 // the old fields are read here, and only here
    /// <summary>The recipe of a request stored before recipes: its old fields, with the defaults of fields it did not have yet.</summary>
    public static TrainingRecipe RecipeOf(StudyRequest r) => new()
    {
        Steps = r.Steps, LearningRate = r.LearningRate, BatchSize = r.BatchSize, MaxLength = r.MaxLength, Seed = r.Seed,
        // Stored before the real-backbone settings existed: float32 full fine-tuning.
        Dtype = r.Dtype ?? WeightPrecision.Float32, GradientCheckpointing = r.GradientCheckpointing, LoraRank = r.LoraRank,
        LoraAlpha = r.LoraAlpha > 0 ? r.LoraAlpha : TrainingRecipe.Default.LoraAlpha, LoraTargets = r.LoraTargets ?? LoraOptions.AllLinear,
    };

    /// <summary>
    /// Moves the intermediate values a trial stored apart (versions before the curve held them) into its
    /// curve, where a value the pruner saw may be missing: the curve was the trial grain's last snapshot.
    /// </summary>
    /// <returns>True when the trial changed.</returns>
    static bool FoldIntermediate(StudyTrial trial)
    {
        if (trial.Intermediate is not { } values) return false;
        foreach (var (step, value) in values.OrderBy(kv => kv.Key))
            if (trial.Curve.FirstOrDefault(p => p.Step == step) is not { Value: not null })
                trial.Curve = TrialCurves.WithValue(trial.Curve, step, value);
        trial.Intermediate = null;
        return true;
    }

    static TrainingRecipe RecipeOf(StudyTrial t, TrainingRecipe study) => study with
    {
        Objective = string.IsNullOrEmpty(t.Objective) ? Objective.Nll.Spec : t.Objective,
        LearningRate = t.LearningRate > 0 ? t.LearningRate : study.LearningRate,
        Seed = t.Seed ?? study.Seed,
    };
#pragma warning restore CS0618
}
