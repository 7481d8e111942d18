using BeyondNll.Grains.Studies;
using BeyondNll.Search.Trials;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Grains.Continuum;

/// <summary>What a finished study contributes to the continuum.</summary>
public static class ContinuumEntries
{
    public static ContinuumEntry Of(string study, StudyRequest r, string dataset, IReadOnlyList<StudyTrial> trials,
        StudyDirection direction, ConfirmationView? confirmation, ProbeView? probe)
    {
        var sign = direction == StudyDirection.Maximize ? 1.0 : -1.0;
        var searched = trials.Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null).ToList();
        var objectives = searched
            .Select(t => new ObjectiveValue(t.Objective, t.LearningRate, TrialRoles.Search, t.Value!.Value, null, 1))
            .Concat(confirmation?.Configurations.Select(c =>
                new ObjectiveValue(c.Objective, c.LearningRate, TrialRoles.Confirm, c.Mean, c.StandardError, c.Values.Count)) ?? [])
            .ToList();
        var steps = trials.Sum(t => (long)(t.State == TrialRunState.Completed ? r.Steps : t.Step));

        string winner, challenger;
        double learningRate;
        double? gain;
        if (confirmation is not null)
        {
            (winner, learningRate, gain, challenger) = (confirmation.WinnerObjective, confirmation.WinnerLearningRate, confirmation.Gain,
                confirmation.Challenger ?? Objective.Nll.Spec);
        }
        else
        {
            // No confirmation: single trials, the best NLL trial against the best other one.
            var nll = searched.Where(t => t.Objective == Objective.Nll.Spec).MaxBy(t => sign * t.Value!.Value);
            var other = searched.Where(t => t.Objective != Objective.Nll.Spec).MaxBy(t => sign * t.Value!.Value);
            gain = nll is not null && other is not null ? sign * (other.Value!.Value - nll.Value!.Value) : null;
            var best = gain > 0 ? other : nll ?? other;
            (winner, learningRate) = best is null ? (Objective.Nll.Spec, r.LearningRate) : (best.Objective, best.LearningRate);
            challenger = other?.Objective ?? Objective.Nll.Spec;
        }
        return new ContinuumEntry
        {
            Backbone = r.Backbone, Dataset = dataset, Metric = r.Metric, Study = study, Probe = probe,
            Winner = winner, PaperKey = Objective.Parse(winner).PaperKey, WinnerLearningRate = learningRate, Gain = gain,
            GainStandardError = confirmation?.GainStandardError, PValue = confirmation?.PValue,
            BeyondNoise = confirmation?.BeyondNoise ?? false, Confirmed = confirmation is not null,
            Trials = trials.Count, TrainingSteps = steps, Objectives = objectives, Recorded = DateTimeOffset.UtcNow,
            Challenger = challenger,
        };
    }
}
