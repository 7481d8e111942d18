using BeyondNll.Grains;

namespace BeyondNll.Studies;

/// <summary>
/// Which trained models and checkpoints a study keeps in its artifact folder (the study grain deletes
/// the rest). Models: the <see cref="StudyRequest.KeepModels"/> best completed search trials and the
/// winner's (<see cref="StudyAnswers.WinnerTrial"/>); while the confirmation runs, every completed
/// confirmation trial, any of which may turn out the winner's best seed. Checkpoints: only a trial that
/// may still run again needs them.
/// </summary>
public static class StudyRetention
{
    public static IReadOnlySet<int> KeptModels(StudyModel study)
    {
        var kept = study.Trials.Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null)
            .OrderByDescending(t => study.Metric.Sign * t.Value!.Value).ThenBy(t => t.Number)
            .Take(study.Request.KeepModels).Select(t => t.Number).ToHashSet();
        if (StudyAnswers.WinnerTrial(study) is { } winner) kept.Add(winner.Number);
        var confirmation = study.Trials.Where(t => t.Role == TrialRoles.Confirm).ToList();
        if (confirmation.Any(t => t.State is TrialRunState.Pending or TrialRunState.Running))
            kept.UnionWith(confirmation.Where(t => t.State == TrialRunState.Completed).Select(t => t.Number));
        return kept;
    }

    /// <summary>True once a trial will not run again (completed, pruned, failed or cancelled): its checkpoints can go.</summary>
    public static bool Ended(StudyTrial trial) => trial.State is not (TrialRunState.Pending or TrialRunState.Running);
}
