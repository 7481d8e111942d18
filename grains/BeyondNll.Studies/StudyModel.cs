using BeyondNll.Grains;
using BeyondNll.Search.Pruners;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Samplers.Gp;
using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Studies;

/// <summary>
/// The rules of one search, with no grains, clock or storage: given the request and the trial
/// history, it says which trial starts next (a retry, the NLL baseline, the user's guesses, the
/// sampler's suggestions, then the confirmation), applies each attempt's outcome, prunes, decides
/// when the study is done and builds its status and answer. The study grain hosts it: it stores
/// what <see cref="TakeChanges"/> returns, reserves the devices and makes the calls.
/// </summary>
/// <remarks>
/// The sampler and pruner are rebuilt from the trials whenever a model is made, so a study picks up
/// where it stopped, finished trials kept and none counted twice. Confirmation trials stay outside
/// the sampler and pruner: they re-run configurations the sampler has already seen.
/// </remarks>
public sealed class StudyModel
{
    /// <summary>Attempts at one trial before it counts as failed (a lost silo or another transient fault each cost one).</summary>
    public const int MaxAttempts = 3;

    readonly List<StudyTrial> trials;
    readonly StudyProtocol protocol;
    readonly SearchSpace space;
    readonly ISampler sampler;
    readonly IPruner? pruner;
    readonly UnstoredChanges unstored = new();

    StudyModel(string name, StudyRecord record, List<StudyTrial> trials)
    {
        Name = name;
        Record = record;
        this.trials = trials;
        Metric = StudyMetric.Parse(Request.Metric);
        protocol = StudyProtocol.For(Request, SearchSpace.FromJson(Request.SpaceJson));
        space = protocol.Space;
        var history = new TrialHistory();
        foreach (var t in trials.Where(t => t.Role == TrialRoles.Search)) history.Add(HistoryRecord(t));
        // Trials in flight are told to TPE as the worst value so far (constant liar), so that
        // parallel asks spread out instead of piling onto one promising point.
        sampler = SamplerFactory.Create(Request.Sampler, space, Direction, Request.Seed, constantLiar: Request.Parallel > 1, history: history,
            startupTrials: protocol.StartupTrials);
        pruner = PrunerFactory.Create(Request.Pruner, Math.Max(1, BaseRecipe.Steps / Math.Max(1, Request.Evaluations)));
    }

    /// <summary>A new study from a checked request: running, with no trials yet.</summary>
    /// <exception cref="ArgumentException">The request breaks a rule of <see cref="StudyRequestValidator"/>.</exception>
    public static StudyModel Create(string name, StudyRequest request, StudyInputs inputs, DateTimeOffset now)
    {
        var space = StudyRequestValidator.CheckSettings(request);
        var model = new StudyModel(name, new StudyRecord
        {
            // Stored with its protocol written out (the ladder, the start-up), as status shows it.
            Request = StudyProtocol.Complete(request, space), State = StudyState.Running, Created = now,
            Backbone = inputs.Backbone, Train = inputs.Train, Val = inputs.Val, Test = inputs.Test, Dataset = inputs.Dataset,
        }, []);
        model.unstored.Record();
        return model;
    }

    /// <summary>
    /// A stored study and its stored trials (numbered 0, 1, ...). A study stored by an earlier
    /// version is brought up to date first (<see cref="StoredStudies"/>); what that changed is
    /// among the next <see cref="TakeChanges"/>.
    /// </summary>
    public static StudyModel Load(string name, StudyRecord record, IReadOnlyList<StudyTrial> stored)
    {
        var upgrade = StoredStudies.Upgrade(record, stored);
        var model = new StudyModel(name, record, upgrade.Trials);
        if (upgrade.RecordChanged) model.unstored.Record();
        foreach (var t in upgrade.ChangedTrials) model.unstored.Trial(t);
        return model;
    }

    public string Name { get; }

    /// <summary>The small state stored on the study's own changes; see <see cref="StudyRecord"/>.</summary>
    public StudyRecord Record { get; }

    public StudyRequest Request => Record.Request!;

    /// <summary>Every trial so far, by number.</summary>
    public IReadOnlyList<StudyTrial> Trials => trials;

    public StudyMetric Metric { get; }

    public StudyDirection Direction => Metric.HigherIsBetter ? StudyDirection.Maximize : StudyDirection.Minimize;

    /// <summary>The recipe every trial starts from.</summary>
    public TrainingRecipe BaseRecipe => Request.Recipe!;

    /// <summary>The rate ladder, the enqueued trials and the start-up of this study.</summary>
    public StudyProtocol Protocol => protocol;

    /// <summary>Trials before the sampler's model takes over, as the sampler itself counts them (0: random and grid, which have no model).</summary>
    public int StartupTrials => sampler switch
    {
        GpSampler gp => gp.StartupTrials,
        TpeSampler tpe => tpe.Options.StartupTrials,
        _ => 0,
    };

    /// <summary>True when the study scores on held-out test data: trials are selected on validation, and the values it reports are on test.</summary>
    public bool HasTestSplit => Record.Test is not null;

    /// <summary>The value a trial is reported and compared by: on test when the study has test data, else on validation.</summary>
    public double? Scored(StudyTrial t) => HasTestSplit ? t.TestValue : t.Value;

    /// <summary>"test" or "validation": where <see cref="Scored"/> measures.</summary>
    public string Split => HasTestSplit ? "test" : "validation";

    /// <summary>True for a dry run: a simulated workload's values are made up.</summary>
    public bool Simulated => WorkloadKind.Parse(Request.Workload).Kind == "simulated";

    public bool IsRunning => Record.State == StudyState.Running;

    /// <summary>The trials that run now, in number order.</summary>
    public IEnumerable<StudyTrial> RunningTrials => trials.Where(t => t.State == TrialRunState.Running);

    /// <summary>What changed since the last call, to store: the record (when it did) and each changed trial.</summary>
    public StudyChanges TakeChanges() => unstored.Take(trials);

    /// <summary>
    /// Changes taken by <see cref="TakeChanges"/> that could not be stored (the store was away longer
    /// than a write's retries): the next <see cref="TakeChanges"/> returns them again, so an outcome the
    /// study already applied is not lost from storage when the call that brought it failed.
    /// </summary>
    public void NotStored(StudyChanges changes) => unstored.Return(changes);

    // ---- Scheduling ----------------------------------------------------------------------------

    /// <summary>
    /// The trial and attempt number that would start on the next free device, without making
    /// anything: what a device is reserved for. Null when the study is not running, has
    /// <see cref="StudyRequest.Parallel"/> trials in flight, or has nothing to start.
    /// </summary>
    public (int Trial, int Attempt)? NextAttempt()
    {
        if (!IsRunning || RunningTrials.Count() >= Request.Parallel) return null;
        if (trials.FirstOrDefault(t => t.State == TrialRunState.Pending) is { } waiting) return (waiting.Number, waiting.Attempts.Count + 1);
        return CanMakeSearchTrial ? (trials.Count, 1) : null;
    }

    /// <summary>
    /// Starts <see cref="NextAttempt"/> on the device reserved for it: makes the trial if it is new
    /// and records the attempt (running). Null when the sampler had nothing more to suggest (the
    /// device goes back unused).
    /// </summary>
    /// <returns>What the attempt's trial grain trains.</returns>
    public TrialSpec? Start(string attemptKey, string silo, string device, DateTimeOffset now)
    {
        var trial = trials.FirstOrDefault(t => t.State == TrialRunState.Pending) ?? NewSearchTrial();
        if (trial is null) return null;
        trial.Attempts.Add(new StudyAttempt { Attempt = trial.Attempts.Count + 1, Key = attemptKey, Silo = silo, Device = device, Started = now });
        trial.State = TrialRunState.Running;
        trial.Step = 0;
        Touch(trial);
        return Spec(trial, device);
    }

    bool SearchOver => (SearchTrials.Count() >= Request.Trials || Record.SamplerExhausted)
                       && SearchTrials.All(t => t.State is not (TrialRunState.Pending or TrialRunState.Running));

    bool CanMakeSearchTrial => SearchTrials.Count() < Request.Trials && !Record.SamplerExhausted && !Record.ConfirmationPlanned;

    IEnumerable<StudyTrial> SearchTrials => trials.Where(t => t.Role == TrialRoles.Search);

    /// <summary>The next new trial: the NLL baseline at every rung of the ladder first, then the user's guesses on it, then the sampler.</summary>
    StudyTrial? NewSearchTrial()
    {
        if (!CanMakeSearchTrial) return null;
        var number = trials.Count;
        if (number < protocol.Enqueued.Count) sampler.Enqueue(protocol.Enqueued[number]);
        TrialRecord record;
        try
        {
            record = sampler.Ask();
        }
        catch (InvalidOperationException)
        {
            Record.SamplerExhausted = true;
            unstored.Record();
            return null;
        }
        var parameters = new Dictionary<string, double>(record.Params);
        var trial = new StudyTrial
        {
            Number = number,
            Params = parameters,
            ParamsJson = TrialParameters.ToJson(space, parameters),
            Recipe = TrialParameters.RecipeOf(space, parameters, BaseRecipe),
            State = TrialRunState.Pending,
        };
        Add(trial);
        return trial;
    }

    void Add(StudyTrial trial)
    {
        trials.Add(trial);
        Record.TrialCount = trials.Count;
        unstored.Record();
        Touch(trial);
    }

    TrialSpec Spec(StudyTrial trial, string device) => new()
    {
        Study = Name, Number = trial.Number, Attempt = trial.Attempts.Count, Recipe = trial.Recipe,
        Workload = Request.Workload, Metric = Metric.Name,
        // A confirmation trial is never pruned, so its intermediate evaluations would be wasted time.
        Evaluations = trial.Role == TrialRoles.Confirm ? 0 : Request.Evaluations,
        Backbone = Record.Backbone!, Train = Record.Train!, Val = Record.Val!, Test = Record.Test,
        PromptKey = Request.PromptKey, ResponseKey = Request.ResponseKey, AnswerFormat = Request.AnswerFormat,
        ParamsJson = trial.ParamsJson, Device = device, TimeLimit = Request.TrialTimeLimit,
    };

    // ---- Outcomes and intermediate values ---------------------------------------------------------

    /// <summary>Records an attempt's end; false when it is stale or already recorded (nothing is counted twice).</summary>
    public bool Apply(TrialOutcome outcome, DateTimeOffset now)
    {
        if (outcome.Number < 0 || outcome.Number >= trials.Count) return false;
        var trial = trials[outcome.Number];
        var attempt = trial.Current;
        if (attempt is null || attempt.Key != outcome.AttemptKey || attempt.Ended is not null || trial.State != TrialRunState.Running)
            return false;
        attempt.Ended = now;
        (attempt.WorkStarted, attempt.WorkEnded, attempt.Released) = (outcome.WorkStarted, outcome.WorkEnded, outcome.Released);
        Attempted(trial, outcome.ResumedFromStep, outcome.Pid, outcome.Curve);
        attempt.Outcome = outcome.State == TrialRunState.Completed ? "completed" : $"{outcome.State.ToString().ToLowerInvariant()}: {outcome.Reason}";
        var told = trial.Role == TrialRoles.Search ? sampler : null;
        switch (outcome.State)
        {
            case TrialRunState.Completed:
                trial.State = TrialRunState.Completed;
                trial.Value = outcome.Value;
                trial.TestValue = outcome.TestValue;
                trial.Step = trial.Recipe.Steps;
                (trial.TrainableParameters, trial.WeightDtype) = (outcome.TrainableParameters, outcome.WeightDtype);
                told?.Tell(trial.Number, outcome.Value!.Value);
                break;
            case TrialRunState.Pruned:
                trial.State = TrialRunState.Pruned;
                trial.Message = outcome.Reason;
                told?.TellPruned(trial.Number);
                break;
            case TrialRunState.Failed when StudyFailures.Retried(outcome) && trial.Attempts.Count < MaxAttempts && IsRunning:
                trial.State = TrialRunState.Pending; // another attempt, on whichever silo has a free device, from the trial's checkpoint
                trial.Message = $"retrying after: {outcome.Reason}";
                break;
            default:
                trial.State = Record.State == StudyState.Cancelled ? TrialRunState.Cancelled : TrialRunState.Failed;
                trial.Message = StudyFailures.Message(outcome, trial.Recipe);
                told?.TellFailed(trial.Number);
                break;
        }
        Touch(trial);
        return true;
    }

    /// <summary>Ends a running attempt that its silo took with it, or that never started: a transient failure, retried.</summary>
    public bool Lose(StudyTrial trial, string reason, DateTimeOffset now) =>
        trial.Current is { } attempt && Apply(new TrialOutcome
        {
            AttemptKey = attempt.Key, Number = trial.Number, Attempt = attempt.Attempt, State = TrialRunState.Failed,
            Reason = reason, Transient = true, Failure = TrialFailure.Lost, Seconds = (now - attempt.Started).TotalSeconds,
            ResumedFromStep = attempt.ResumedFromStep, Pid = attempt.Pid,
        }, now);

    /// <summary>Notes how far a running attempt got, as its trial grain reports it.</summary>
    public void Progress(StudyTrial trial, int step)
    {
        if (step > trial.Step) trial.Step = step; // shown in status only: not worth a write of its own
    }

    /// <summary>Notes a running attempt's progress as a poll found it: its step, the checkpoint it resumed, its worker and its curve so far.</summary>
    public void Progress(StudyTrial trial, TrialProgress progress)
    {
        Progress(trial, progress.Step);
        Attempted(trial, progress.ResumedFromStep, progress.Pid, progress.Curve ?? []);
    }

    /// <summary>Records where the current attempt resumed, its worker, and its curve after the steps it kept.</summary>
    static void Attempted(StudyTrial trial, int resumedFrom, int? pid, IReadOnlyList<CurvePoint> curve)
    {
        if (trial.Current is not { } attempt) return;
        attempt.ResumedFromStep = resumedFrom;
        attempt.Pid = pid ?? attempt.Pid;
        if (curve.Count > 0) trial.Curve = TrialCurves.WithSnapshot(trial.Curve, curve, resumedFrom);
    }

    /// <summary>
    /// Records an intermediate value of a running attempt and asks the pruner: true to go on, false
    /// to stop (pruned, or the attempt is stale: its trial moved on without it).
    /// </summary>
    public bool Report(int number, string attemptKey, int step, double value)
    {
        if (!IsRunning || number < 0 || number >= trials.Count) return false;
        var trial = trials[number];
        if (trial.Current?.Key != attemptKey || trial.State != TrialRunState.Running) return false;
        trial.Curve = TrialCurves.WithValue(trial.Curve, step, value);
        Progress(trial, step);
        Touch(trial);
        if (trial.Role == TrialRoles.Confirm) return true; // a confirmation runs in full: the pruner never sees it
        sampler.Report(number, step, value);
        return pruner is null || pruner.Decide(sampler.History, sampler.History.Get(number), Direction) == PruneDecision.Continue;
    }

    // ---- The study's end ------------------------------------------------------------------------

    /// <summary>
    /// Once the search is over, adds the confirmation trials (the best NLL configuration and the
    /// <see cref="StudyRequest.Confirm"/> best others, on fresh seeds), once; true when it did.
    /// </summary>
    public bool PlanConfirmationWhenDue()
    {
        if (!IsRunning || Request.Confirm <= 0 || Record.ConfirmationPlanned || !SearchOver) return false;
        foreach (var trial in StudyConfirmation.Plan(trials, Request.Confirm, Request.ConfirmSeeds, Direction)) Add(trial);
        Record.ConfirmationPlanned = true;
        unstored.Record();
        return true;
    }

    /// <summary>True when every trial there will be has ended: the study may publish its answer and finish.</summary>
    public bool ReadyToFinish =>
        IsRunning && SearchOver && (Request.Confirm <= 0 || Record.ConfirmationPlanned)
        && trials.All(t => t.State is not (TrialRunState.Pending or TrialRunState.Running));

    /// <summary>Ends the study: completed with an answer, or failed when no trial completed.</summary>
    public void Finish()
    {
        var completed = StudyAnswers.Of(this) is not null;
        Record.State = completed ? StudyState.Completed : StudyState.Failed;
        Record.Message = completed ? null : "no trial completed";
        unstored.Record();
    }

    /// <summary>Ends the study as cancelled; returns the attempts that were running, to be stopped.</summary>
    public IReadOnlyList<StudyAttempt> Cancel(DateTimeOffset now)
    {
        if (Record.State is not (StudyState.Running or StudyState.Pending)) return [];
        Record.State = StudyState.Cancelled;
        Record.Message = "cancelled by the user";
        unstored.Record();
        var running = new List<StudyAttempt>();
        foreach (var trial in trials.Where(t => t.State is TrialRunState.Running or TrialRunState.Pending))
        {
            if (trial.State == TrialRunState.Running && trial.Current is { } attempt)
            {
                running.Add(attempt);
                attempt.Ended ??= now;
                attempt.Outcome = "cancelled: study cancelled";
            }
            trial.State = TrialRunState.Cancelled;
            Touch(trial);
        }
        return running;
    }

    /// <summary>Keeps the backbone's capability probe on the study's data, for its continuum point.</summary>
    public void RecordProbe(ProbeView probe)
    {
        Record.Probe = probe;
        unstored.Record();
    }

    /// <summary>The study's answer so far (null while no search trial completed); see <see cref="StudyAnswers"/>.</summary>
    public StudyAnswer? Answer() => StudyAnswers.Of(this);

    /// <summary>The study as `bnll search status` shows it.</summary>
    public StudyStatus Status() => StudyViews.Status(this);

    void Touch(StudyTrial trial) => unstored.Trial(trial.Number);

    static TrialRecord HistoryRecord(StudyTrial t)
    {
        var record = new TrialRecord(t.Number, t.Params);
        foreach (var p in t.Curve.Where(p => p.Value is not null)) record.Report(p.Step, p.Value!.Value);
        switch (t.State)
        {
            case TrialRunState.Completed: record.Finish(TrialState.Complete, t.Value); break;
            case TrialRunState.Pruned: record.Finish(TrialState.Pruned); break;
            case TrialRunState.Failed or TrialRunState.Cancelled: record.Finish(TrialState.Failed); break;
        }
        return record;
    }
}
