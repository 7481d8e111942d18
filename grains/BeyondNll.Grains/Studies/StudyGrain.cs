using BeyondNll.Grains.Artifacts;
using BeyondNll.Grains.Devices;
using BeyondNll.Grains.Trials;
using BeyondNll.Grains.Workloads;
using BeyondNll.Studies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace BeyondNll.Grains.Studies;

/// <summary>
/// One search (key: its name), hosting its <see cref="StudyModel"/>: the model decides, this grain
/// stores, keeps time and makes the calls. Each round — on its own timer, on every finished attempt,
/// and on the watchdog's nudge after a restart — it notices attempts whose silo is gone, reserves free
/// devices across the cluster and starts what the model says starts next there. The study's record
/// and each trial's record are stored apart (<see cref="TrialRecords"/>): a change writes only what changed.
/// </summary>
public sealed class StudyGrain(
    [PersistentState("study", StorageNames.Cluster)] IPersistentState<StudyRecord> state,
    [FromKeyedServices(StorageNames.Cluster)] IGrainStorage storage,
    IClusterMembershipService membership, ArtifactFolders artifacts, ILogger<StudyGrain> logger) : Grain, IStudyGrain
{
    static readonly TimeSpan RoundPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How long an attempt may stay recorded without its trial grain having started it.</summary>
    static readonly TimeSpan NeverStarted = TimeSpan.FromSeconds(30);

    StudyModel? model;
    TrialRecords? records;
    DeviceFinder? devices;
    IGrainTimer? roundTimer;

    /// <summary>When running attempts were last polled; see <see cref="Round"/>.</summary>
    DateTimeOffset lastPoll = DateTimeOffset.MinValue;

    /// <summary>The silo whose device just fell free: asked first for the next trial, so the hand-over takes one reservation call.</summary>
    string? freedSilo;

    /// <summary>Trials whose checkpoints, and whose models, this activation has deleted already (see <see cref="SweepArtifacts"/>).</summary>
    readonly HashSet<int> checkpointsSwept = [], modelsSwept = [];

    string Name => this.GetPrimaryKeyString();

    StudyModel Study => model ?? throw new ArgumentException($"no study named '{Name}'");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        records = new TrialRecords(storage, Name);
        devices = new DeviceFinder(GrainFactory, membership, logger);
        if (state.State.Request is null) return;
        // A record of an earlier version keeps its trials inside it: as many are read apart, for their ETags.
        var stored = await records.ReadAll(state.State.TrialCount, state.State.Trials.Count);
        model = StudyModel.Load(Name, state.State, stored);
        await Save(); // whatever loading brought up to date
        if (model.IsRunning) StartRounds();
    }

    public async Task<StudyStatus> Start(StudyRequest request)
    {
        using var span = ClusterTracing.Source.StartActivity(ClusterTracing.StudyStart)?.SetTag(ClusterTracing.StudyTag, Name);
        if (request.Name != Name) throw new ArgumentException($"the request names study '{request.Name}', not '{Name}'");
        if (state.RecordExists || model is not null) throw new ArgumentException($"a study named '{Name}' exists already");
        StudyRequestValidator.CheckSettings(request);
        var backbone = await GrainFactory.GetGrain<IBackboneGrain>(request.Backbone).Get()
            ?? throw new ArgumentException($"no backbone named '{request.Backbone}'; add it with `bnll backbone add {request.Backbone} --path DIR`");

        // Reading and hashing files can take a while: off the grain scheduler.
        var inputs = await Task.Run(() =>
        {
            StudyRequestValidator.CheckData(request);
            return new StudyInputs(FileFingerprints.Of(backbone.Path), FileFingerprints.Of(request.TrainPath),
                FileFingerprints.Of(request.ValPath), StudyRequestValidator.DatasetName(request.TrainPath),
                request.TestPath is { } test ? FileFingerprints.Of(test) : null);
        });
        if (!await GrainFactory.GetGrain<IStudyRegistryGrain>(0).TryAdd(Name))
            throw new ArgumentException($"a study named '{Name}' exists already");

        model = StudyModel.Create(Name, request, inputs, DateTimeOffset.UtcNow);
        state.State = model.Record;
        try
        {
            await Save();
        }
        catch
        {
            // Not stored: the name goes back, so the registry never lists a study that has no record.
            model = null;
            await GrainFactory.GetGrain<IStudyRegistryGrain>(0).Remove(Name);
            throw;
        }
        StartRounds();
        logger.LogInformation("Study {Study} started: {Trials} trials of {Sampler} on {Backbone}", Name, request.Trials, request.Sampler, request.Backbone);
        await Round();
        return Study.Status();
    }

    public Task<StudyStatus> GetStatus() => Task.FromResult(Study.Status());

    public async Task<StudyStatus> Cancel()
    {
        var running = Study.Cancel(DateTimeOffset.UtcNow);
        foreach (var attempt in running)
        {
            try
            {
                await GrainFactory.GetGrain<ITrialGrain>(attempt.Key).Cancel("study cancelled").WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Cancelling {Attempt}: its silo did not answer", attempt.Key);
            }
        }
        if (await Save()) await Finished();
        SweepArtifacts();
        return Study.Status();
    }

    public async Task Tick()
    {
        if (model is null) return;
        if (model.IsRunning) await Round();
        // A finished study whose last save failed stores it now, and only then counts as finished.
        else if (await Save()) await Finished();
    }

    /// <summary>
    /// Records the outcome and starts the next trial on the freed device at once. The outcome is
    /// stored before this returns: together with the next attempt's record (which is stored before
    /// that attempt starts), or on its own when nothing starts. The poll of the other running
    /// attempts is left to the round timer: it is the safety net, not the hand-over.
    /// </summary>
    public async Task OnTrialFinished(TrialOutcome outcome)
    {
        using var span = ClusterTracing.Source.StartActivity(ClusterTracing.StudyTrialFinished)?.SetTag(ClusterTracing.StudyTag, Name)
            .SetTag(ClusterTracing.TrialTag, outcome.Number).SetTag(ClusterTracing.AttemptTag, outcome.Attempt)
            .SetTag(ClusterTracing.OutcomeTag, outcome.State.ToString().ToLowerInvariant()).SetTag(ClusterTracing.ValueTag, outcome.Value);
        if (model is null) return;
        if (!model.Apply(outcome, DateTimeOffset.UtcNow))
        {
            // Applied before (a call that failed while saving is retried): store what that call could not.
            await Save();
            return;
        }
        logger.LogInformation("Study {Study}: trial {Trial} attempt {Attempt} ended {State}", Name, outcome.Number, outcome.Attempt, outcome.State);
        if (model.IsRunning)
        {
            freedSilo = AttemptKey.Parse(outcome.AttemptKey).Silo;
            await StartTrialsOnFreeDevices();
            await FinishWhenDone();
        }
        await Save();
        SweepArtifacts();
    }

    public async Task<bool> OnIntermediate(string attemptKey, int step, double value)
    {
        if (model is null) return false;
        var keep = model.Report(AttemptKey.Parse(attemptKey).Trial, attemptKey, step, value);
        await Save();
        return keep;
    }

    /// <summary>Stores what the model changed: each changed trial's record first, then the study's own, so
    /// the study never counts a trial whose record is not stored. False when nothing changed. What a failed
    /// write did not store is handed back to the model, for the next save.</summary>
    async Task<bool> Save()
    {
        var changes = Study.TakeChanges();
        try
        {
            if (changes.Trials.Count > 0) await records!.Write(changes.Trials);
            if (changes.Record) await state.WriteWithRetry();
        }
        catch
        {
            Study.NotStored(changes);
            throw;
        }
        return changes.Any;
    }

    void StartRounds() =>
        roundTimer ??= this.RegisterGrainTimer(_ => Tick(), new GrainTimerCreationOptions(RoundPeriod, RoundPeriod) { KeepAlive = true });

    /// <summary>
    /// One scheduling round; see the class summary. Rounds come from this grain's timer and from
    /// every silo's watchdog, so the poll of running attempts runs at most once a period.
    /// </summary>
    async Task Round()
    {
        if (DateTimeOffset.UtcNow - lastPoll >= RoundPeriod)
        {
            lastPoll = DateTimeOffset.UtcNow;
            await CheckRunningAttempts();
        }
        await StartTrialsOnFreeDevices();
        await FinishWhenDone();
        await Save();
        SweepArtifacts();
    }

    /// <summary>
    /// Deletes what the study no longer needs from its artifact folder, off the grain scheduler: the
    /// checkpoints of trials that will not run again, and the models of completed trials it does not
    /// keep (<see cref="StudyRetention"/>). Each trial is looked at once per activation; a folder that
    /// could not be deleted is tried again by the next activation. Simulated studies keep nothing.
    /// </summary>
    void SweepArtifacts()
    {
        if (model is null || WorkloadKind.Parse(model.Request.Workload).Kind == "simulated") return;
        var kept = StudyRetention.KeptModels(model);
        var folders = new List<string>();
        foreach (var trial in model.Trials.Where(StudyRetention.Ended))
        {
            if (checkpointsSwept.Add(trial.Number)) folders.Add(artifacts.Checkpoints(Name, trial.Number));
            if (trial.State == TrialRunState.Completed && !kept.Contains(trial.Number) && modelsSwept.Add(trial.Number))
                folders.Add(artifacts.Model(Name, trial.Number));
        }
        if (folders.Count == 0) return;
        _ = Task.Run(() =>
        {
            foreach (var folder in folders.Where(f => !ArtifactFolders.Delete(f)))
                logger.LogWarning("Study {Study}: could not delete {Folder}; the next activation tries again", Name, folder);
        });
    }

    /// <summary>Polls every running attempt at once (a round costs one round trip): progress, a lost report, a lost silo.</summary>
    async Task CheckRunningAttempts()
    {
        var running = Study.RunningTrials.ToList();
        var polls = await Task.WhenAll(running.Select(t => AttemptPoller.Poll(GrainFactory, membership, t.Current!.Key, t.Current.Silo, logger)));
        var now = DateTimeOffset.UtcNow;
        foreach (var (trial, poll) in running.Zip(polls))
        {
            if (poll.Lost is { } reason)
            {
                Study.Lose(trial, reason, now);
                continue;
            }
            if (poll.Progress is not { } progress) continue;
            if (progress.State == TrialRunState.Pending && now - trial.Current!.Started > NeverStarted)
            {
                // Recorded but never started: the store failed between the two, or this study's silo died.
                Study.Lose(trial, "it never started", now);
                await devices!.Release(AttemptKey.Parse(trial.Current.Key));
                continue;
            }
            Study.Progress(trial, progress);
            // The attempt ended but its report did not arrive: take the outcome from the grain.
            if (poll.Outcome is { } outcome) Study.Apply(outcome, now);
        }
    }

    /// <summary>
    /// Reserves a free device for each trial that can start, records all those attempts in one
    /// save, then starts them without waiting: this turn ends and the study hears the next outcome
    /// while the trial grains start. An attempt that does not start comes back as its own outcome,
    /// in a turn of its own (see <see cref="StartAttempt"/>).
    /// </summary>
    async Task StartTrialsOnFreeDevices()
    {
        if (Study.PlanConfirmationWhenDue())
            logger.LogInformation("Study {Study}: confirming on {Seeds} fresh seeds", Name, Study.Request.ConfirmSeeds);
        var workloadKind = WorkloadKind.Parse(Study.Request.Workload).Kind;
        var starting = new List<(AttemptKey Key, TrialSpec Spec)>();
        while (Study.NextAttempt() is var (number, attempt))
        {
            var reserved = await devices!.Reserve(silo => new AttemptKey(Name, number, attempt, silo), workloadKind, freedSilo);
            freedSilo = null;
            if (reserved is not var (key, device)) break; // every device is busy: the next round tries again
            if (Study.Start(key.ToString(), key.Silo, device, DateTimeOffset.UtcNow) is not { } spec)
            {
                await devices.Release(key); // the sampler has nothing more to suggest
                break;
            }
            starting.Add((key, spec));
        }
        if (starting.Count == 0) return;
        await Save(); // every attempt is stored before it starts
        foreach (var (key, spec) in starting) _ = StartAttempt(key, spec);
    }

    /// <summary>
    /// Starts one recorded attempt. When the start fails, the device is freed and the failure is
    /// reported to this study like any outcome (a call to itself, so it is recorded in a turn of its
    /// own); if even that report is lost, the poll finds the attempt never started.
    /// </summary>
    async Task StartAttempt(AttemptKey key, TrialSpec spec)
    {
        using var span = ClusterTracing.Source.StartActivity(ClusterTracing.StudyStartAttempt)?.SetTag(ClusterTracing.StudyTag, Name)
            .SetTag(ClusterTracing.TrialTag, spec.Number).SetTag(ClusterTracing.AttemptTag, spec.Attempt)
            .SetTag(ClusterTracing.DeviceTag, $"{key.Silo}/{spec.Device}").SetTag(ClusterTracing.ObjectiveTag, spec.Recipe.Objective);
        try
        {
            await GrainFactory.GetGrain<ITrialGrain>(key.ToString()).Start(spec);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Study {Study}: attempt {Attempt} did not start", Name, key);
            await devices!.Release(key);
            try
            {
                await GrainFactory.GetGrain<IStudyGrain>(Name).OnTrialFinished(new TrialOutcome
                {
                    AttemptKey = key.ToString(), Number = spec.Number, Attempt = spec.Attempt, State = TrialRunState.Failed,
                    // A silo lost while the start was in flight reads as it does when a poll finds it gone.
                    Reason = e is SiloUnavailableException ? $"silo {key.Silo} is unavailable" : $"did not start: {e.Message}",
                    Transient = e is not ArgumentException,
                    Failure = e switch { SiloUnavailableException => TrialFailure.Lost, ArgumentException => TrialFailure.Input, _ => TrialFailure.Fault },
                });
            }
            catch (Exception report)
            {
                logger.LogWarning(report, "Study {Study}: recording that {Attempt} did not start failed; the poll will", Name, key);
            }
        }
    }

    /// <summary>
    /// Once every trial has ended: the backbone and the continuum learn the answer before the study
    /// reads as completed, so that whoever sees it completed also finds its answer there; a failed
    /// call leaves the study running and the next round records again (recording is idempotent per study).
    /// </summary>
    async Task FinishWhenDone()
    {
        if (!Study.ReadyToFinish) return;
        // A simulated study has no result to record: its values are made up.
        using var span = ClusterTracing.Source.StartActivity(ClusterTracing.StudyFinish)?.SetTag(ClusterTracing.StudyTag, Name);
        if (StudyResults.ForBackbone(Study) is { } result)
        {
            await GrainFactory.GetGrain<IBackboneGrain>(Study.Request.Backbone).RecordResult(result);
            await ProbeOnce();
            await GrainFactory.GetGrain<IContinuumGrain>(0).Record(StudyResults.ForContinuum(Study, DateTimeOffset.UtcNow)!);
        }
        Study.Finish();
        await Save();
        logger.LogInformation("Study {Study} {State}; answer {Answer}", Name, Study.Record.State, Study.Answer()?.Objective);
        await Finished();
    }

    /// <summary>
    /// The backbone's capability probe on the study's training data (and on its clean validation
    /// responses), at the study's max length, for its continuum point: the backbone grain's (stored,
    /// else measured on a free device slot). Simulated studies have no model to probe (nor a point),
    /// and a probe that fails leaves the point without a mean p.
    /// </summary>
    async Task ProbeOnce()
    {
        var r = Study.Request;
        if (Study.Record.Probe is not null || WorkloadKind.Parse(r.Workload).Kind != "torch") return;
        try
        {
            Study.RecordProbe(await GrainFactory.GetGrain<IBackboneGrain>(r.Backbone).Probe(
                new ProbeRequest(r.TrainPath, Study.Record.Dataset, r.PromptKey, r.ResponseKey, Study.BaseRecipe.MaxLength, r.ValPath)));
        }
        catch (Exception e)
        {
            // The answer does not depend on it: the study finishes, its point without a mean p.
            logger.LogWarning(e, "Study {Study}: the capability probe failed; its continuum point has no mean p", Name);
        }
    }

    /// <summary>A finished study needs no rounds and may be deactivated when idle.</summary>
    async Task Finished()
    {
        roundTimer?.Dispose();
        roundTimer = null;
        await GrainFactory.GetGrain<IStudyRegistryGrain>(0).MarkFinished(Name);
    }
}
