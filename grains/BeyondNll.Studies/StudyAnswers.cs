using BeyondNll.Grains;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Studies;

/// <summary>
/// The one definition of a study's answer and its gain over NLL, used by status, `best`, the
/// continuum, export and recommend. Every objective is compared at its best learning rate. With a
/// confirmation the answer is the confirmation's (the best NLL configuration and the best challengers
/// re-run on fresh seeds, compared seed by seed) and it is marked confirmed; without one it is plainly
/// unconfirmed: the best completed NLL search trial against the best completed search trial of any
/// other objective. The finalists are chosen on validation; the values compared and the gain are on
/// the held-out test data when the study has some (<see cref="StudyModel.Split"/>), so the number a
/// user reads was not the one that picked it. The gain is challenger minus NLL, signed so that
/// positive means better than NLL; the winner is the challenger when the gain is positive, else NLL
/// (or whichever of the two finished when the other did not).
/// </summary>
public static class StudyAnswers
{
    /// <returns>Null while no search trial has completed.</returns>
    public static StudyAnswer? Of(StudyModel study)
    {
        if (BestTrial(study) is null) return null;
        if (StudyConfirmation.Summarise(study) is { } confirmed) return FromConfirmation(study, confirmed);

        var (nll, challenger, winner, gain) = SearchWinner(study);
        return new StudyAnswer
        {
            Objective = winner.Recipe.Objective, LearningRate = winner.Recipe.LearningRate, Value = winner.Value!.Value, TestValue = winner.TestValue,
            Recipe = winner.Recipe, Challenger = challenger?.Recipe.Objective, ChallengerLearningRate = challenger?.Recipe.LearningRate,
            ChallengerValue = challenger is null ? null : study.Scored(challenger), NllValue = nll is null ? null : study.Scored(nll),
            NllLearningRate = nll?.Recipe.LearningRate, Gain = gain, Confirmed = false, Split = study.Split,
        };
    }

    /// <summary>
    /// The trial whose trained model is the study's winner: with a confirmation, the best seed (on
    /// validation) of the winning configuration; without one, the search trial of the answer's winner.
    /// Null while no search trial has completed. `bnll export --format hf` writes this trial's model.
    /// </summary>
    public static StudyTrial? WinnerTrial(StudyModel study)
    {
        if (BestTrial(study) is null) return null;
        if (StudyConfirmation.Summarise(study) is { } confirmed)
            return study.Trials.Where(t => t.Role == TrialRoles.Confirm && t.State == TrialRunState.Completed && t.Value is not null
                    && StudyConfirmation.NameOf(t) == confirmed.Winner)
                .MaxBy(t => study.Metric.Sign * t.Value!.Value);
        return SearchWinner(study).Winner;
    }

    /// <summary>
    /// Without a confirmation: the best NLL search trial and the best other one (both chosen on
    /// validation), the winner of the two and the gain (on the study's scored split, <see cref="StudyModel.Scored"/>).
    /// Only called once a search trial has completed.
    /// </summary>
    static (StudyTrial? Nll, StudyTrial? Challenger, StudyTrial Winner, double? Gain) SearchWinner(StudyModel study)
    {
        var nll = BaselineTrial(study);
        var challenger = Searched(study).Where(t => t.Recipe.Objective != Objective.Nll.Spec).MaxBy(t => study.Metric.Sign * t.Value!.Value);
        double? gain = nll is not null && challenger is not null && study.Scored(nll) is { } n && study.Scored(challenger) is { } c
            ? study.Metric.Sign * (c - n) : null;
        return (nll, challenger, (gain > 0 ? challenger : nll ?? challenger)!, gain);
    }

    /// <summary>The best completed search trial on validation (the search's single best value); null while none completed.</summary>
    public static StudyTrial? BestTrial(StudyModel study) => Searched(study).MaxBy(t => study.Metric.Sign * t.Value!.Value);

    /// <summary>The NLL trial the gain is measured against: the best completed NLL search trial on validation.</summary>
    public static StudyTrial? BaselineTrial(StudyModel study) =>
        Searched(study).Where(t => t.Recipe.Objective == Objective.Nll.Spec).MaxBy(t => study.Metric.Sign * t.Value!.Value);

    static StudyAnswer FromConfirmation(StudyModel study, ConfirmationView c)
    {
        var baseline = c.Configurations[0];
        var challenger = c.Challenger is null ? null : c.Configurations.First(x => x.Name == c.Challenger);
        var winner = c.Configurations.First(x => x.Name == c.Winner);
        // The winner's recipe as the search trained it (its seed, not a confirmation's).
        var recipe = Searched(study).First(t => StudyConfirmation.NameOf(t) == winner.Name).Recipe;
        return new StudyAnswer
        {
            Objective = winner.Objective, LearningRate = winner.LearningRate, Recipe = recipe,
            Value = winner.ValidationMean ?? winner.Mean, TestValue = study.HasTestSplit ? winner.Mean : null,
            Challenger = challenger?.Objective, ChallengerLearningRate = challenger?.LearningRate, ChallengerValue = challenger?.Mean,
            NllValue = baseline.Mean, NllLearningRate = baseline.LearningRate, Gain = c.Gain, Confirmed = true,
            GainStandardError = c.GainStandardError, PValue = c.PValue, PAdjusted = c.PAdjusted, Ci95 = c.Ci95,
            BeyondNoise = c.BeyondNoise, Split = c.Split,
        };
    }

    static IEnumerable<StudyTrial> Searched(StudyModel study) =>
        study.Trials.Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null);
}
