using BeyondNll.Grains;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Studies;

/// <summary>What a finished study tells its backbone (the best objective on its data set) and the continuum (its point).</summary>
public static class StudyResults
{
    /// <summary>The backbone's record of this study's answer; null when the study has none.</summary>
    public static DatasetResult? ForBackbone(StudyModel study)
    {
        if (study.Answer() is not { } answer) return null;
        return new DatasetResult
        {
            Dataset = study.Record.Dataset, Objective = answer.Objective, PaperKey = Objective.Parse(answer.Objective).PaperKey,
            Value = answer.Value, NllValue = answer.NllValue, Gain = answer.Gain, Study = study.Name, Metric = study.Metric.Name,
            Confirmation = StudyConfirmation.Summarise(study.Trials, study.Request.ConfirmSeeds, study.Direction),
        };
    }

    /// <summary>This study's point on the continuum; null when the study has no answer.</summary>
    public static ContinuumEntry? ForContinuum(StudyModel study, DateTimeOffset now)
    {
        if (study.Answer() is not { } answer) return null;
        var confirmation = StudyConfirmation.Summarise(study.Trials, study.Request.ConfirmSeeds, study.Direction);
        var searched = study.Trials.Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null);
        var objectives = searched
            .Select(t => new ObjectiveValue(t.Recipe.Objective, t.Recipe.LearningRate, TrialRoles.Search, t.Value!.Value, null, 1))
            .Concat(confirmation?.Configurations.Select(c =>
                new ObjectiveValue(c.Objective, c.LearningRate, TrialRoles.Confirm, c.Mean, c.StandardError, c.Values.Count)) ?? [])
            .ToList();
        return new ContinuumEntry
        {
            Backbone = study.Request.Backbone, Dataset = study.Record.Dataset, Metric = study.Metric.Name, Study = study.Name,
            Probe = study.Record.Probe, Winner = answer.Objective, PaperKey = Objective.Parse(answer.Objective).PaperKey,
            WinnerLearningRate = answer.LearningRate, Gain = answer.Gain, GainStandardError = answer.GainStandardError,
            PValue = answer.PValue, BeyondNoise = answer.BeyondNoise, Confirmed = answer.Confirmed,
            Trials = study.Trials.Count, TrainingSteps = TrainingSteps(study), Objectives = objectives, Recorded = now,
            Challenger = answer.Challenger ?? Objective.Nll.Spec,
        };
    }

    /// <summary>Training steps the study spent, pruned and failed trials counted up to where they stopped.</summary>
    public static long TrainingSteps(StudyModel study) =>
        study.Trials.Sum(t => (long)(t.State == TrialRunState.Completed ? t.Recipe.Steps : t.Step));
}
