using BeyondNll.Grains;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Studies;

/// <summary>
/// What a finished study tells its backbone (its answer on its data set) and the continuum (its
/// point): the study's one answer (<see cref="StudyAnswers"/>). A simulated study tells nothing: its
/// values are made up, and a dry run must never become a backbone's answer or a point on the continuum.
/// </summary>
public static class StudyResults
{
    /// <summary>The backbone's record of this study's answer; null when the study has none, or is simulated.</summary>
    public static DatasetResult? ForBackbone(StudyModel study)
    {
        if (study.Simulated || study.Answer() is not { } answer) return null;
        return new DatasetResult
        {
            Dataset = study.Record.Dataset, Objective = answer.Objective, PaperKey = Objective.Parse(answer.Objective).PaperKey,
            Value = answer.Value, TestValue = answer.TestValue, LearningRate = answer.LearningRate, NllValue = answer.NllValue,
            Gain = answer.Gain, Study = study.Name, Metric = study.Metric.Name, Confirmed = answer.Confirmed, Split = answer.Split,
            Confirmation = StudyConfirmation.Summarise(study),
        };
    }

    /// <summary>This study's point on the continuum; null when the study has no answer, or is simulated.</summary>
    public static ContinuumEntry? ForContinuum(StudyModel study, DateTimeOffset now)
    {
        if (study.Simulated || study.Answer() is not { } answer) return null;
        var confirmation = StudyConfirmation.Summarise(study);
        var searched = study.Trials.Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null);
        var objectives = searched
            .Select(t => new ObjectiveValue(t.Recipe.Objective, t.Recipe.LearningRate, TrialRoles.Search, t.Value!.Value, null, 1, t.TestValue))
            .Concat(confirmation?.Configurations.Select(c => new ObjectiveValue(c.Objective, c.LearningRate, TrialRoles.Confirm,
                c.ValidationMean ?? c.Mean, study.HasTestSplit ? null : c.StandardError, c.Values.Count, study.HasTestSplit ? c.Mean : null)) ?? [])
            .ToList();
        return new ContinuumEntry
        {
            Backbone = study.Request.Backbone, Dataset = study.Record.Dataset, Metric = study.Metric.Name, Study = study.Name,
            Probe = study.Record.Probe, Winner = answer.Objective, PaperKey = Objective.Parse(answer.Objective).PaperKey,
            WinnerLearningRate = answer.LearningRate, Gain = answer.Gain, GainStandardError = answer.GainStandardError,
            PValue = answer.PValue, PAdjusted = answer.PAdjusted, Ci95 = answer.Ci95, BeyondNoise = answer.BeyondNoise, Confirmed = answer.Confirmed,
            Trials = study.Trials.Count, TrainingSteps = TrainingSteps(study), Objectives = objectives, Recorded = now,
            Challenger = answer.Challenger ?? Objective.Nll.Spec, Value = answer.Value, TestValue = answer.TestValue, Split = answer.Split,
            Pairs = confirmation?.Pairs ?? 0,
        };
    }

    /// <summary>Training steps the study spent, pruned and failed trials counted up to where they stopped.</summary>
    public static long TrainingSteps(StudyModel study) =>
        study.Trials.Sum(t => (long)(t.State == TrialRunState.Completed ? t.Recipe.Steps : t.Step));
}
