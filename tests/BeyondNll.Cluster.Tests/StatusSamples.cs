using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Studies;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Cluster.Tests;

/// <summary>
/// Study statuses as a study grain reports them: made by the pure study model (the grain's own), driven
/// through starts and outcomes, for the console's pure mappings (JSON, tables, export).
/// </summary>
static class StatusSamples
{
    static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    static StudyModel NewModel(string name, string metric, int trials) => StudyModel.Create(name, new StudyRequest
    {
        Name = name, Backbone = "tiny", TrainPath = "/data/train.jsonl", ValPath = "/data/val.jsonl",
        SpaceJson = NamedSpaces.CreateDefault().ToJson(), Trials = trials, Parallel = 2, Sampler = "tpe", Pruner = "median",
        Metric = metric, Enqueue = ["power:10", "top-p:0.5"], Recipe = new TrainingRecipe { LearningRate = 3e-4, MaxLength = 64 },
        LearningRates = [3e-4], // one rung, as `--lr 3e-4` gives: each enqueued objective once
    }, new StudyInputs(new("/models/tiny", "aa"), new("/data/train.jsonl", "bb"), new("/data/val.jsonl", "cc"), "train.jsonl"), T0);

    /// <summary>Starts the next attempt on <paramref name="silo"/>/<paramref name="device"/>; returns its key.</summary>
    static string Start(StudyModel model, string silo, string device, int minute)
    {
        var (trial, attempt) = model.NextAttempt()!.Value;
        var key = $"{model.Name}|{trial}|{attempt}|{silo}";
        Assert.NotNull(model.Start(key, silo, device, T0.AddMinutes(minute)));
        return key;
    }

    static void End(StudyModel model, string key, TrialRunState state, double? value, string reason, int minute, double? testValue = null,
        IReadOnlyList<CurvePoint>? curve = null)
    {
        var number = int.Parse(key.Split('|')[1]);
        model.Apply(new TrialOutcome
        {
            AttemptKey = key, Number = number, Attempt = int.Parse(key.Split('|')[2]), State = state, Value = value, Reason = reason, TestValue = testValue,
            Curve = curve ?? [],
        }, T0.AddMinutes(minute));
    }

    /// <summary>
    /// A completed study: the NLL baseline (trial 0) at 0.75, power:10 (trial 1) at 0.80 on its second
    /// attempt after its first silo was lost, top-p:0.5 (trial 2) pruned at 0.4 — on accuracy, power:10
    /// beat NLL by 0.05; on nll (minimised) the same values make NLL the winner.
    /// </summary>
    public static StudyStatus Completed(string metric = "accuracy")
    {
        var model = NewModel("s1", metric, trials: 3);
        var nll = Start(model, "silo-a", "cpu:0", 1);
        var power = Start(model, "silo-a", "cpu:1", 1);
        model.Lose(model.Trials[1], "silo lost", T0.AddMinutes(2));
        End(model, nll, TrialRunState.Completed, 0.75, "completed", 2);
        var retry = Start(model, "silo-b", "cuda:0", 2);
        var topP = Start(model, "silo-b", "cuda:1", 2);
        model.Report(2, topP, 25, 0.4);
        End(model, topP, TrialRunState.Pruned, null, "pruned", 3, curve: [new CurvePoint(25, 1.25, 0.4)]);
        End(model, retry, TrialRunState.Completed, 0.80, "completed", 3);
        Assert.True(model.ReadyToFinish);
        model.Finish();
        return model.Status();
    }

    /// <summary>
    /// A completed study with held-out test data, confirmed on 3 fresh seeds: NLL (0.70 on validation)
    /// against power:1 (0.75); on test, seed by seed, power:1 is ahead by 0.03 to 0.04.
    /// </summary>
    public static StudyStatus ConfirmedOnTest()
    {
        var model = StudyModel.Create("s2", new StudyRequest
        {
            Name = "s2", Backbone = "tiny", TrainPath = "/data/train.jsonl", ValPath = "/data/val.jsonl", TestPath = "/data/test.jsonl",
            SpaceJson = NamedSpaces.CreateDefault().ToJson(), Trials = 2, Parallel = 1, Enqueue = ["power:1"], Confirm = 1, ConfirmSeeds = 3,
            Recipe = new TrainingRecipe { LearningRate = 1e-4, MaxLength = 64 }, LearningRates = [1e-4],
        }, new StudyInputs(new("/models/tiny", "aa"), new("/data/train.jsonl", "bb"), new("/data/val.jsonl", "cc"), "train.jsonl",
            new("/data/test.jsonl", "dd")), T0);
        for (var minute = 1; !model.ReadyToFinish; minute++)
        {
            model.PlanConfirmationWhenDue();
            var key = Start(model, "silo-a", "cpu:0", minute);
            var recipe = model.Trials[int.Parse(key.Split('|')[1])].Recipe;
            var nll = recipe.Objective == "nll";
            End(model, key, TrialRunState.Completed, nll ? 0.70 : 0.75, "completed", minute,
                testValue: (nll ? 0.60 : 0.63) + recipe.Seed * 0.01 + (nll ? 0 : recipe.Seed % 2 * 0.01));
        }
        model.Finish();
        return model.Status();
    }

    /// <summary>
    /// A failed study: each of <paramref name="trials"/> trials failed on <paramref name="silo"/> (devices
    /// cpu:0 and cpu:1 in turn) with <paramref name="reason"/>, which the model keeps as the trial's message.
    /// </summary>
    public static StudyStatus Failed(int trials, string silo, string reason)
    {
        var model = NewModel("failed", "accuracy", trials);
        for (var i = 0; i < trials; i++)
            End(model, Start(model, silo, $"cpu:{i % 2}", i), TrialRunState.Failed, null, reason, i);
        Assert.True(model.ReadyToFinish);
        model.Finish();
        return model.Status();
    }

    /// <summary>A study that has just started: nothing finished, the baseline running at step 40 of 100.</summary>
    public static StudyStatus JustStarted()
    {
        var model = NewModel("s0", "accuracy", trials: 12);
        Start(model, "silo-a", "cpu:0", 1);
        model.Progress(model.Trials[0], 40);
        return model.Status();
    }

    /// <summary>One trial view as the model makes it.</summary>
    public static TrialView Trial(int number) => JustStarted().Trials[number];
}
