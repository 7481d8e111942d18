using BeyondNll.Grains;

namespace BeyondNll.Studies;

/// <summary>A study as the console and scripts see it (<see cref="StudyStatus"/>): pure functions of the model.</summary>
public static class StudyViews
{
    public static StudyStatus Status(StudyModel study)
    {
        var r = study.Request;
        var views = study.Trials.Select(View).ToList();
        return new StudyStatus
        {
            Study = study.Name, State = study.Record.State, Backbone = r.Backbone, Trials = views,
            Best = StudyAnswers.BestTrial(study) is { } best ? views[best.Number] : null,
            Baseline = StudyAnswers.BaselineTrial(study) is { } nll ? views[nll.Number] : null,
            Metric = study.Metric.Name, Direction = study.Metric.Direction,
            TrialBudget = r.Trials, Parallel = r.Parallel, Message = study.Record.Message, Dataset = study.Record.Dataset,
            Created = study.Record.Created, Sampler = r.Sampler, Pruner = r.Pruner,
            Confirmation = StudyConfirmation.Summarise(study),
            Confirm = r.Confirm, ConfirmSeeds = r.ConfirmSeeds, Recipe = study.BaseRecipe, Answer = study.Answer(), Workload = r.Workload,
            TestPath = r.TestPath, LearningRates = study.Protocol.Ladder, Startup = study.StartupTrials, Seed = r.Seed,
            WinnerTrial = StudyAnswers.WinnerTrial(study)?.Number, KeepModels = r.KeepModels, SpaceJson = r.SpaceJson,
        };
    }

    public static TrialView View(StudyTrial t) => new()
    {
        Number = t.Number, Recipe = t.Recipe, ParamsJson = t.ParamsJson, State = t.State, Value = t.Value, TestValue = t.TestValue,
        Attempts = t.Attempts.Select(a => new AttemptView(a.Attempt, a.Silo, a.Device, a.Started, a.Ended, a.Outcome, a.WorkStarted, a.WorkEnded, a.Released,
            a.ResumedFromStep, a.Pid)).ToList(),
        Step = t.Step, Message = t.Message, Role = t.Role, TrainableParameters = t.TrainableParameters, WeightDtype = t.WeightDtype,
        Curve = t.Curve,
    };
}
