using System.Text.Json;
using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Studies.Tests;

/// <summary>Drives a study model as its grain would: devices on two silos, a clock that moves a minute a call, outcomes by hand.</summary>
sealed class Driver
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly StudyInputs Inputs = new(new("/models/b", "b0"), new("/data/train.jsonl", "t0"), new("/data/val.jsonl", "v0"), "data/train");

    public StudyModel Model { get; private set; }
    int minutes;

    public Driver(StudyRequest request) =>
        Model = StudyModel.Create(request.Name, request, request.TestPath is { } test ? Inputs with { Test = new(test, "x0") } : Inputs, T0);

    public static StudyRequest Request(string name = "s", int trials = 6, int parallel = 2, string sampler = "tpe", string pruner = "none",
        string metric = "accuracy", int confirm = 0, int confirmSeeds = 3, SearchSpace? space = null, IReadOnlyList<string>? enqueue = null,
        IReadOnlyList<double>? learningRates = null, string workload = "torch", string? test = null) => new()
    {
        Name = name, Backbone = "b", TrainPath = "/data/train.jsonl", ValPath = "/data/val.jsonl",
        SpaceJson = (space ?? NamedSpaces.CreateDefault()).ToJson(), Trials = trials, Parallel = parallel, Sampler = sampler, Pruner = pruner,
        Metric = metric, Seed = 7, Evaluations = 4, Enqueue = enqueue ?? [], Confirm = confirm, ConfirmSeeds = confirmSeeds,
        Recipe = new TrainingRecipe { Steps = 100, LearningRate = 3e-4, MaxLength = 64, Seed = 7 },
        // One rung at the recipe's rate (as `--lr 3e-4` gives) unless a test asks for a ladder: [] is the default ladder.
        LearningRates = learningRates ?? [3e-4], Workload = workload, TestPath = test,
    };

    public DateTimeOffset Now => T0.AddMinutes(minutes);

    DateTimeOffset Tick() => T0.AddMinutes(++minutes);

    /// <summary>Starts whatever the model says starts next on a device of <paramref name="silo"/>; null when nothing starts.</summary>
    public TrialSpec? StartNext(string silo = "S1")
    {
        if (Model.NextAttempt() is not var (trial, attempt)) return null;
        return Model.Start($"{Model.Name}|{trial}|{attempt}|{silo}", silo, "cpu:0", Tick());
    }

    /// <summary>Starts trials until the model starts no more.</summary>
    public List<TrialSpec> StartAll()
    {
        var started = new List<TrialSpec>();
        while (StartNext() is { } spec) started.Add(spec);
        return started;
    }

    public static string KeyOf(TrialSpec spec, string silo = "S1") => $"{spec.Study}|{spec.Number}|{spec.Attempt}|{silo}";

    /// <param name="testValue">Its value on the study's held-out test data, when it has some.</param>
    public bool Complete(TrialSpec spec, double value, double? testValue = null) => End(spec, TrialRunState.Completed, value, "completed", testValue: testValue);

    public bool End(TrialSpec spec, TrialRunState state, double? value, string reason, bool transient = false, double? testValue = null) =>
        Model.Apply(new TrialOutcome
        {
            AttemptKey = KeyOf(spec), Number = spec.Number, Attempt = spec.Attempt, State = state, Value = value, Reason = reason, Transient = transient,
            TestValue = testValue,
        }, Tick());

    /// <summary>Runs the whole study: every started trial completes with <paramref name="value"/> of its recipe, as soon as it starts.</summary>
    /// <param name="testValue">Its value on held-out test data, if the study has some.</param>
    public void RunToEnd(Func<TrainingRecipe, double> value, Func<TrainingRecipe, double>? testValue = null)
    {
        for (var guard = 0; guard < 10_000; guard++)
        {
            Model.PlanConfirmationWhenDue();
            if (StartNext() is { } spec)
            {
                Complete(spec, value(spec.Recipe), testValue?.Invoke(spec.Recipe));
                continue;
            }
            if (Model.ReadyToFinish)
            {
                Model.Finish();
                return;
            }
            throw new InvalidOperationException("the study neither starts a trial nor can finish");
        }
    }

    /// <summary>The model as a restarted grain would load it from what was stored so far.</summary>
    public void Reload()
    {
        Model.TakeChanges();
        var record = JsonSerializer.Deserialize<StudyRecord>(JsonSerializer.Serialize(Model.Record))!;
        var trials = Model.Trials.Select(t => JsonSerializer.Deserialize<StudyTrial>(JsonSerializer.Serialize(t))!).ToList();
        Model = StudyModel.Load(Model.Name, record, trials);
    }
}
