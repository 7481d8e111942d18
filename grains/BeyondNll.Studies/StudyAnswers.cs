using BeyondNll.Grains;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Studies;

/// <summary>
/// The one definition of a study's answer and its gain over NLL, used by status, `best`, the
/// continuum, export and recommend. Every objective is compared at its best: with a confirmation,
/// the confirmation's result (means over fresh seeds of the best NLL configuration and the best
/// challengers); without one, the best completed NLL search trial against the best completed search
/// trial of any other objective. The gain is challenger minus NLL, signed so that positive means
/// better than NLL; the winner is the challenger when the gain is positive, else NLL (or whichever
/// of the two finished when the other did not).
/// </summary>
public static class StudyAnswers
{
    /// <returns>Null while no search trial has completed.</returns>
    public static StudyAnswer? Of(StudyModel study)
    {
        var searched = Completed(study.Trials).Where(t => t.Role == TrialRoles.Search).ToList();
        if (searched.Count == 0) return null;
        if (StudyConfirmation.Summarise(study.Trials, study.Request.ConfirmSeeds, study.Direction) is { } confirmed)
            return FromConfirmation(confirmed);

        var (nll, challenger, winner, gain) = SearchWinner(study, searched);
        return new StudyAnswer
        {
            Objective = winner.Recipe.Objective, LearningRate = winner.Recipe.LearningRate, Value = winner.Value!.Value,
            Challenger = challenger?.Recipe.Objective, ChallengerLearningRate = challenger?.Recipe.LearningRate, ChallengerValue = challenger?.Value,
            NllValue = nll?.Value, NllLearningRate = nll?.Recipe.LearningRate, Gain = gain, Confirmed = false,
        };
    }

    /// <summary>
    /// The trial whose trained model is the study's winner: with a confirmation, the best seed of the
    /// winning configuration; without one, the search trial of the answer's winner. Null while no
    /// search trial has completed. `bnll export --format hf` writes this trial's model.
    /// </summary>
    public static StudyTrial? WinnerTrial(StudyModel study)
    {
        var searched = Completed(study.Trials).Where(t => t.Role == TrialRoles.Search).ToList();
        if (searched.Count == 0) return null;
        if (StudyConfirmation.Summarise(study.Trials, study.Request.ConfirmSeeds, study.Direction) is { } confirmed)
            return Completed(study.Trials).Where(t => t.Role == TrialRoles.Confirm && StudyConfirmation.NameOf(t) == confirmed.Winner)
                .MaxBy(t => study.Metric.Sign * t.Value!.Value);
        return SearchWinner(study, searched).Winner;
    }

    /// <summary>Without a confirmation: the best NLL trial, the best other one, the winner of the two and the gain.</summary>
    static (StudyTrial? Nll, StudyTrial? Challenger, StudyTrial Winner, double? Gain) SearchWinner(StudyModel study, List<StudyTrial> searched)
    {
        var sign = study.Metric.Sign;
        var nll = searched.Where(t => t.Recipe.Objective == Objective.Nll.Spec).MaxBy(t => sign * t.Value!.Value);
        var challenger = searched.Where(t => t.Recipe.Objective != Objective.Nll.Spec).MaxBy(t => sign * t.Value!.Value);
        double? gain = nll is not null && challenger is not null ? sign * (challenger.Value!.Value - nll.Value!.Value) : null;
        return (nll, challenger, (gain > 0 ? challenger : nll ?? challenger)!, gain);
    }

    /// <summary>The best completed search trial (the search's single best value); null while none completed.</summary>
    public static StudyTrial? BestTrial(StudyModel study) =>
        Completed(study.Trials).Where(t => t.Role == TrialRoles.Search).MaxBy(t => study.Metric.Sign * t.Value!.Value);

    /// <summary>The NLL trial the gain is measured against: the best completed NLL search trial.</summary>
    public static StudyTrial? BaselineTrial(StudyModel study) =>
        Completed(study.Trials).Where(t => t.Role == TrialRoles.Search && t.Recipe.Objective == Objective.Nll.Spec)
            .MaxBy(t => study.Metric.Sign * t.Value!.Value);

    static StudyAnswer FromConfirmation(ConfirmationView c)
    {
        var baseline = c.Configurations[0];
        var challenger = c.Challenger is null ? null : c.Configurations.First(x => x.Name == c.Challenger);
        var winner = c.Configurations.First(x => x.Name == c.Winner);
        return new StudyAnswer
        {
            Objective = winner.Objective, LearningRate = winner.LearningRate, Value = winner.Mean,
            Challenger = challenger?.Objective, ChallengerLearningRate = challenger?.LearningRate, ChallengerValue = challenger?.Mean,
            NllValue = baseline.Mean, NllLearningRate = baseline.LearningRate, Gain = c.Gain, Confirmed = true,
            GainStandardError = c.GainStandardError, PValue = c.PValue, BeyondNoise = c.BeyondNoise,
        };
    }

    static IEnumerable<StudyTrial> Completed(IEnumerable<StudyTrial> trials) =>
        trials.Where(t => t.State == TrialRunState.Completed && t.Value is not null);
}
