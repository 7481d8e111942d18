using BeyondNll.Grains.Backbones;
using BeyondNll.Grains.Continuum;
using BeyondNll.Grains.Trials;
using BeyondNll.Grains.Workloads;
using BeyondNll.Search.Pruners;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;
using BeyondNll.Training.Objectives;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace BeyondNll.Grains.Studies;

/// <summary>
/// One search (key: its name). Each round — on its own timer, on every finished attempt, and on the
/// watchdog's nudge after a restart — it notices attempts whose silo is gone, reserves free devices
/// across the cluster and starts the next trials there: a retry first, else the NLL baseline, the
/// user's guesses, then the sampler's suggestions. The sampler and pruner are rebuilt from the stored
/// trials, so a study picks up where it stopped, with finished trials kept and none counted twice.
/// </summary>
public sealed class StudyGrain(
    [PersistentState("study", StorageNames.Cluster)] IPersistentState<StudyGrainState> state,
    IClusterMembershipService membership, ILogger<StudyGrain> logger) : Grain, IStudyGrain
{
    /// <summary>Attempts at one trial before it counts as failed (a lost silo or another transient fault each cost one).</summary>
    public const int MaxAttempts = 3;

    static readonly TimeSpan RoundPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How long an attempt may stay recorded without its trial grain having started it.</summary>
    static readonly TimeSpan NeverStarted = TimeSpan.FromSeconds(30);

    ISampler? sampler;
    IPruner? pruner;
    SearchSpace? space;
    int rotation;
    IGrainTimer? roundTimer;

    /// <summary>When running attempts were last polled; see <see cref="Round"/>.</summary>
    DateTimeOffset lastPoll = DateTimeOffset.MinValue;

    /// <summary>The silo whose device just fell free: asked first for the next trial, so the hand-over takes one reservation call.</summary>
    string? freedSilo;

    StudyGrainState S => state.State;
    string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Request is not null && S.State == StudyState.Running) Resume();
        return Task.CompletedTask;
    }

    public async Task<StudyStatus> Start(StudyRequest request)
    {
        if (request.Name != Name) throw new ArgumentException($"the request names study '{request.Name}', not '{Name}'");
        if (state.RecordExists || S.Request is not null) throw new ArgumentException($"a study named '{Name}' exists already");
        var checkedSpace = StudyValidation.CheckSettings(request);
        var backbone = await GrainFactory.GetGrain<IBackboneGrain>(request.Backbone).Get()
            ?? throw new ArgumentException($"no backbone named '{request.Backbone}'; add it with `bnll backbone add {request.Backbone} --path DIR`");

        // Reading and hashing files can take a while: off the grain scheduler.
        var (backboneFingerprint, train, val) = await Task.Run(() =>
        {
            StudyValidation.CheckData(request);
            return (FileFingerprints.Of(backbone.Path), FileFingerprints.Of(request.TrainPath), FileFingerprints.Of(request.ValPath));
        });
        if (!await GrainFactory.GetGrain<IStudyRegistryGrain>(0).TryAdd(Name))
            throw new ArgumentException($"a study named '{Name}' exists already");

        state.State = new StudyGrainState
        {
            Request = request,
            State = StudyState.Running,
            Created = DateTimeOffset.UtcNow,
            Backbone = backboneFingerprint,
            Train = train,
            Val = val,
            Dataset = StudyValidation.DatasetName(request.TrainPath),
        };
        await Save();
        space = checkedSpace;
        Resume();
        logger.LogInformation("Study {Study} started: {Trials} trials of {Sampler} on {Backbone}", Name, request.Trials, request.Sampler, request.Backbone);
        await Round();
        return Status();
    }

    public Task<StudyStatus> GetStatus()
    {
        if (S.Request is null) throw new ArgumentException($"no study named '{Name}'");
        return Task.FromResult(Status());
    }

    public async Task<StudyStatus> Cancel()
    {
        if (S.Request is null) throw new ArgumentException($"no study named '{Name}'");
        if (S.State is StudyState.Running or StudyState.Pending)
        {
            S.State = StudyState.Cancelled;
            S.Message = "cancelled by the user";
            foreach (var trial in S.Trials.Where(t => t.State is TrialRunState.Running or TrialRunState.Pending))
            {
                if (trial.State == TrialRunState.Running && trial.Current is { } attempt)
                {
                    try
                    {
                        await GrainFactory.GetGrain<ITrialGrain>(attempt.Key).Cancel("study cancelled").WaitAsync(TimeSpan.FromSeconds(5));
                    }
                    catch (Exception e)
                    {
                        logger.LogDebug(e, "Cancelling {Attempt}: its silo did not answer", attempt.Key);
                    }
                    attempt.Ended ??= DateTimeOffset.UtcNow;
                    attempt.Outcome = "cancelled: study cancelled";
                }
                trial.State = TrialRunState.Cancelled;
            }
            await Save();
            await Finished();
        }
        return Status();
    }

    public async Task Tick()
    {
        if (S.Request is null || S.State != StudyState.Running) return;
        await Round();
    }

    /// <summary>
    /// Records the outcome and starts the next trial on the freed device at once. The outcome is
    /// stored before this returns: together with the next attempt's record (which is stored before
    /// that attempt starts), or on its own when nothing starts. The poll of the other running
    /// attempts is left to the round timer: it is the safety net, not the hand-over.
    /// </summary>
    public async Task OnTrialFinished(TrialOutcome outcome)
    {
        if (!Apply(outcome)) return;
        var stored = writes;
        if (S.State == StudyState.Running)
        {
            freedSilo = AttemptKey.Parse(outcome.AttemptKey).Silo;
            await StartTrialsOnFreeDevices();
            await FinishWhenDone();
        }
        if (writes == stored) await Save();
    }

    /// <summary>Writes made so far by this activation; lets a caller see whether its change is stored yet.</summary>
    long writes;

    async Task Save()
    {
        await state.WriteWithRetry();
        writes++;
    }

    public async Task<bool> OnIntermediate(string attemptKey, int step, double value)
    {
        var key = AttemptKey.Parse(attemptKey);
        if (S.State != StudyState.Running || key.Trial >= S.Trials.Count) return false;
        var trial = S.Trials[key.Trial];
        if (trial.Current?.Key != attemptKey || trial.State != TrialRunState.Running) return false; // a stale attempt: stop it
        trial.Intermediate[step] = value;
        trial.Step = Math.Max(trial.Step, step);
        if (trial.Role == TrialRoles.Confirm) return true; // a confirmation runs in full: the pruner never sees it
        var record = sampler!.History.Get(key.Trial);
        sampler.Report(key.Trial, step, value);
        var keep = pruner is null || pruner.Decide(sampler.History, record, Direction) == PruneDecision.Continue;
        await Save();
        return keep;
    }

    /// <summary>Rebuilds the sampler and pruner from the stored trials and starts the round timer.</summary>
    void Resume()
    {
        var r = S.Request!;
        space ??= SearchSpace.FromJson(r.SpaceJson);
        var history = new TrialHistory();
        // Confirmation trials stay outside the sampler: they re-run configurations it has already seen.
        foreach (var t in S.Trials.Where(t => t.Role == TrialRoles.Search))
        {
            var record = new TrialRecord(t.Number, t.Params);
            foreach (var (step, value) in t.Intermediate.OrderBy(kv => kv.Key)) record.Report(step, value);
            switch (t.State)
            {
                case TrialRunState.Completed: record.Finish(TrialState.Complete, t.Value); break;
                case TrialRunState.Pruned: record.Finish(TrialState.Pruned); break;
                case TrialRunState.Failed or TrialRunState.Cancelled: record.Finish(TrialState.Failed); break;
            }
            history.Add(record);
        }
        // Trials in flight are told to TPE as the worst value so far (constant liar), so that
        // parallel asks spread out instead of piling onto one promising point.
        sampler = SamplerFactory.Create(r.Sampler, space, Direction, r.Seed, constantLiar: r.Parallel > 1, history: history);
        var firstEvaluation = Math.Max(1, r.Steps / Math.Max(1, r.Evaluations));
        pruner = PrunerFactory.Create(r.Pruner, firstEvaluation);
        roundTimer ??= this.RegisterGrainTimer(_ => Tick(), new GrainTimerCreationOptions(RoundPeriod, RoundPeriod) { KeepAlive = true });
    }

    StudyDirection Direction => S.Request!.Metric == "nll" ? StudyDirection.Minimize : StudyDirection.Maximize;

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
    }

    /// <summary>What a poll found out about one running attempt: its progress and outcome, or why it is lost.</summary>
    readonly record struct Poll(TrialProgress? Progress, TrialOutcome? Outcome, string? Lost);

    async Task CheckRunningAttempts()
    {
        var members = membership.CurrentSnapshot.Members;
        var running = S.Trials.Where(t => t.State == TrialRunState.Running).ToList();
        // All at once: a round costs one round trip, not one per running attempt.
        var polls = await Task.WhenAll(running.Select(t => PollAttempt(t.Current!, members)));
        var changed = false;
        foreach (var (trial, poll) in running.Zip(polls))
        {
            var attempt = trial.Current!;
            if (poll.Lost is { } reason)
            {
                changed |= Apply(Lost(trial, attempt, reason));
                continue;
            }
            if (poll.Progress is not { } progress) continue;
            if (progress.State == TrialRunState.Pending && DateTimeOffset.UtcNow - attempt.Started > NeverStarted)
            {
                // Recorded but never started: the store failed between the two, or this study's silo died.
                changed |= Apply(Lost(trial, attempt, "it never started"));
                await ReleaseQuietly(AttemptKey.Parse(attempt.Key));
                continue;
            }
            trial.Step = Math.Max(trial.Step, progress.Step);
            // The attempt ended but its report did not arrive: take the outcome from the grain.
            if (poll.Outcome is { } outcome) changed |= Apply(outcome);
        }
        if (changed) await Save();
    }

    async Task<Poll> PollAttempt(StudyAttempt attempt, IReadOnlyDictionary<SiloAddress, ClusterMember> members)
    {
        var silo = SiloAddress.FromParsableString(attempt.Silo);
        if (!members.TryGetValue(silo, out var member) || member.Status is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            return new Poll(null, null, $"silo {attempt.Silo} is gone");
        try
        {
            var grain = GrainFactory.GetGrain<ITrialGrain>(attempt.Key);
            var progress = await grain.GetProgress().WaitAsync(TimeSpan.FromSeconds(5));
            var outcome = progress.State is not (TrialRunState.Running or TrialRunState.Pending) ? await grain.GetOutcome() : null;
            return new Poll(progress, outcome, null);
        }
        catch (SiloUnavailableException)
        {
            return new Poll(null, null, $"silo {attempt.Silo} is unavailable");
        }
        catch (TimeoutException e)
        {
            logger.LogDebug(e, "Attempt {Attempt} did not answer in time", attempt.Key);
            return default;
        }
    }

    static TrialOutcome Lost(StudyTrial trial, StudyAttempt attempt, string reason) => new()
    {
        AttemptKey = attempt.Key, Number = trial.Number, Attempt = attempt.Attempt, State = TrialRunState.Failed,
        Reason = reason, Transient = true, Seconds = (DateTimeOffset.UtcNow - attempt.Started).TotalSeconds,
    };

    /// <summary>Records an attempt's end; false when it is stale or already recorded (nothing is counted twice).</summary>
    bool Apply(TrialOutcome outcome)
    {
        if (outcome.Number < 0 || outcome.Number >= S.Trials.Count) return false;
        var trial = S.Trials[outcome.Number];
        var attempt = trial.Current;
        if (attempt is null || attempt.Key != outcome.AttemptKey || attempt.Ended is not null || trial.State != TrialRunState.Running)
            return false;
        attempt.Ended = DateTimeOffset.UtcNow;
        (attempt.WorkStarted, attempt.WorkEnded, attempt.Released) = (outcome.WorkStarted, outcome.WorkEnded, outcome.Released);
        attempt.Outcome = outcome.State == TrialRunState.Completed ? "completed" : $"{outcome.State.ToString().ToLowerInvariant()}: {outcome.Reason}";
        var told = trial.Role == TrialRoles.Search ? sampler! : null;
        switch (outcome.State)
        {
            case TrialRunState.Completed:
                trial.State = TrialRunState.Completed;
                trial.Value = outcome.Value;
                trial.Step = S.Request!.Steps;
                (trial.TrainableParameters, trial.WeightDtype) = (outcome.TrainableParameters, outcome.WeightDtype);
                told?.Tell(trial.Number, outcome.Value!.Value);
                break;
            case TrialRunState.Pruned:
                trial.State = TrialRunState.Pruned;
                trial.Message = outcome.Reason;
                told?.TellPruned(trial.Number);
                break;
            case TrialRunState.Failed when outcome.Transient && trial.Attempts.Count < MaxAttempts:
                trial.State = TrialRunState.Pending; // another attempt, on whichever silo has a free device
                trial.Message = $"retrying after: {outcome.Reason}";
                break;
            default:
                trial.State = S.State == StudyState.Cancelled ? TrialRunState.Cancelled : TrialRunState.Failed;
                trial.Message = outcome.Reason;
                told?.TellFailed(trial.Number);
                break;
        }
        logger.LogInformation("Study {Study}: trial {Trial} attempt {Attempt} {Outcome}", Name, trial.Number, attempt.Attempt, attempt.Outcome);
        return true;
    }

    /// <summary>
    /// Reserves a free device for each trial that can start, records all those attempts in one
    /// write, then starts them without waiting: this turn ends and the study hears the next outcome
    /// while the trial grains start. An attempt that does not start comes back as its own outcome,
    /// in a turn of its own (see <see cref="StartAttempt"/>).
    /// </summary>
    async Task StartTrialsOnFreeDevices()
    {
        var r = S.Request!;
        var workloadKind = WorkloadKind.Parse(r.Workload).Kind;
        var starting = new List<(AttemptKey Key, TrialSpec Spec)>();
        while (S.State == StudyState.Running && S.Trials.Count(t => t.State == TrialRunState.Running) < r.Parallel)
        {
            var retry = S.Trials.FirstOrDefault(t => t.State == TrialRunState.Pending);
            if (retry is null && (S.Trials.Count >= r.Trials || S.SamplerExhausted)) break;
            var number = retry?.Number ?? S.Trials.Count;
            var attemptNumber = (retry?.Attempts.Count ?? 0) + 1;

            var reserved = await ReserveDevice(number, attemptNumber, workloadKind);
            if (reserved is not var (key, device)) break; // every device is busy: the next round tries again

            var trial = retry ?? NewTrial(number);
            if (trial is null)
            {
                await GrainFactory.GetGrain<IDeviceHostGrain>(key.Silo).Release(key.ToString());
                break;
            }
            trial.Attempts.Add(new StudyAttempt
            {
                Attempt = attemptNumber, Key = key.ToString(), Silo = key.Silo, Device = device, Started = DateTimeOffset.UtcNow,
            });
            trial.State = TrialRunState.Running;
            trial.Step = 0;
            starting.Add((key, Spec(trial, attemptNumber, device)));
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
        try
        {
            await GrainFactory.GetGrain<ITrialGrain>(key.ToString()).Start(spec);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Study {Study}: attempt {Attempt} did not start", Name, key);
            await ReleaseQuietly(key);
            try
            {
                await GrainFactory.GetGrain<IStudyGrain>(Name).OnTrialFinished(new TrialOutcome
                {
                    AttemptKey = key.ToString(), Number = spec.Number, Attempt = spec.Attempt, State = TrialRunState.Failed,
                    // A silo lost while the start was in flight reads as it does when a poll finds it gone.
                    Reason = e is SiloUnavailableException ? $"silo {key.Silo} is unavailable" : $"did not start: {e.Message}",
                    Transient = e is not ArgumentException,
                });
            }
            catch (Exception report)
            {
                logger.LogWarning(report, "Study {Study}: recording that {Attempt} did not start failed; the poll will", Name, key);
            }
        }
    }

    /// <summary>A free device somewhere in the cluster, trying the silos in turn so trials spread out.</summary>
    async Task<(AttemptKey Key, string Device)?> ReserveDevice(int number, int attempt, string workloadKind)
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).OrderBy(s => s.ToParsableString()).ToList();
        var freed = silos.FindIndex(s => s.ToParsableString() == freedSilo);
        freedSilo = null;
        for (var i = -1; i < silos.Count; i++)
        {
            // First the silo whose device just fell free, if any; then the silos in turn, so trials spread out.
            if (i == -1 && freed < 0) continue;
            if (i >= 0 && (rotation + i) % silos.Count == freed) continue; // asked already
            var silo = i == -1 ? silos[freed] : silos[(rotation + i) % silos.Count];
            var key = new AttemptKey(Name, number, attempt, silo.ToParsableString());
            try
            {
                var device = await GrainFactory.GetGrain<IDeviceHostGrain>(key.Silo).TryReserve(key.ToString(), workloadKind);
                if (device is null) continue;
                if (i >= 0) rotation = (rotation + i + 1) % silos.Count;
                return (key, device);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Silo {Silo} did not answer a reservation", silo);
            }
        }
        return null;
    }

    /// <summary>The next new trial: the NLL baseline first, then the user's guesses, then the sampler.</summary>
    StudyTrial? NewTrial(int number)
    {
        var r = S.Request!;
        var enqueued = new[] { Objective.Nll.Spec }.Concat(r.Enqueue).ToList();
        if (number < enqueued.Count) sampler!.Enqueue(TrialParameters.ForObjective(space!, enqueued[number], r.LearningRate));
        TrialRecord record;
        try
        {
            record = sampler!.Ask();
        }
        catch (InvalidOperationException)
        {
            S.SamplerExhausted = true;
            return null;
        }
        var parameters = new Dictionary<string, double>(record.Params);
        var trial = new StudyTrial
        {
            Number = record.Number,
            Params = parameters,
            ParamsJson = TrialParameters.ToJson(space!, parameters),
            Objective = TrialParameters.ObjectiveOf(space!, parameters),
            LearningRate = TrialParameters.LearningRateOf(parameters) ?? r.LearningRate,
            State = TrialRunState.Pending,
        };
        S.Trials.Add(trial);
        return trial;
    }

    TrialSpec Spec(StudyTrial trial, int attempt, string device)
    {
        var r = S.Request!;
        return new TrialSpec
        {
            Study = Name, Number = trial.Number, Attempt = attempt, Objective = trial.Objective, LearningRate = trial.LearningRate,
            Steps = r.Steps, BatchSize = r.BatchSize, MaxLength = r.MaxLength, Seed = trial.Seed ?? r.Seed, Workload = r.Workload,
            // A confirmation trial is never pruned, so its intermediate evaluations would be wasted time.
            Metric = r.Metric, Evaluations = trial.Role == TrialRoles.Confirm ? 0 : r.Evaluations, Backbone = S.Backbone!, Train = S.Train!, Val = S.Val!,
            PromptKey = r.PromptKey, ResponseKey = r.ResponseKey, AnswerFormat = r.AnswerFormat,
            ParamsJson = trial.ParamsJson, Device = device,
            // Every trial of the study, retries and confirmations included, trains with the study's settings.
            Dtype = r.Dtype, GradientCheckpointing = r.GradientCheckpointing, LoraRank = r.LoraRank, LoraAlpha = r.LoraAlpha, LoraTargets = r.LoraTargets,
        };
    }

    async Task ReleaseQuietly(AttemptKey key)
    {
        try
        {
            await GrainFactory.GetGrain<IDeviceHostGrain>(key.Silo).Release(key.ToString());
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Releasing {Attempt} failed; the reservation lapses by itself", key);
        }
    }

    async Task FinishWhenDone()
    {
        var r = S.Request!;
        if (S.State != StudyState.Running) return;
        if (S.Trials.Any(t => t.State is TrialRunState.Running or TrialRunState.Pending)) return;
        if (S.Trials.Count < r.Trials && !S.SamplerExhausted) return;

        if (r.Confirm > 0 && !S.ConfirmationPlanned)
        {
            // The search is over: its best configurations go again on fresh seeds, as trials like any other.
            S.Trials.AddRange(StudyConfirmation.Plan(S.Trials, r.Confirm, r.ConfirmSeeds, r.Seed, Direction));
            S.ConfirmationPlanned = true;
            await Save();
            if (S.Trials.Any(t => t.State == TrialRunState.Pending))
            {
                logger.LogInformation("Study {Study}: confirming on {Seeds} fresh seeds", Name, r.ConfirmSeeds);
                await StartTrialsOnFreeDevices();
                return;
            }
        }

        // The backbone and the continuum learn the result before the study reads as completed, so
        // that whoever sees it completed also finds its result there; a failed call leaves the study
        // running and the next round records again (recording is idempotent per study).
        var best = Best();
        if (best is not null)
        {
            var baseline = S.Trials.FirstOrDefault(t => t.Objective == Objective.Nll.Spec && t.State == TrialRunState.Completed);
            var sign = Direction == StudyDirection.Maximize ? 1 : -1;
            var confirmation = StudyConfirmation.Summarise(S.Trials, r.ConfirmSeeds, Direction);
            await GrainFactory.GetGrain<IBackboneGrain>(r.Backbone).RecordResult(new DatasetResult
            {
                Dataset = S.Dataset, Objective = best.Objective, PaperKey = Objective.Parse(best.Objective).PaperKey,
                Value = best.Value!.Value, NllValue = baseline?.Value,
                Gain = baseline?.Value is { } nll ? sign * (best.Value!.Value - nll) : null,
                Study = Name, Metric = r.Metric, Confirmation = confirmation,
            });
            var probe = await ProbeOnce();
            await GrainFactory.GetGrain<IContinuumGrain>(0).Record(
                ContinuumEntries.Of(Name, r, S.Dataset, S.Trials, Direction, confirmation, probe));
        }
        S.State = best is null ? StudyState.Failed : StudyState.Completed;
        S.Message = best is null ? "no trial completed" : null;
        await Save();
        logger.LogInformation("Study {Study} {State}; best {Objective} = {Value}", Name, S.State, best?.Objective, best?.Value);
        await Finished();
    }

    /// <summary>
    /// The backbone's capability probe on the study's training data: the one stored on the backbone,
    /// else measured here (a forward pass over the data, off the grain scheduler) and stored there.
    /// Simulated studies have no model to probe.
    /// </summary>
    async Task<ProbeView?> ProbeOnce()
    {
        var r = S.Request!;
        var backbone = GrainFactory.GetGrain<IBackboneGrain>(r.Backbone);
        var view = await backbone.Get();
        if (view?.Probes.TryGetValue(S.Dataset, out var stored) == true) return stored;
        if (WorkloadKind.Parse(r.Workload).Kind != "torch" || view is null) return null;
        try
        {
            var probe = await Task.Run(() => BackboneProbe.Measure(view.Path, r.TrainPath, r.PromptKey, r.ResponseKey, r.MaxLength));
            await backbone.RecordProbe(S.Dataset, probe);
            return probe;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Study {Study}: the capability probe failed; its continuum point has no mean p", Name);
            return null;
        }
    }

    /// <summary>A finished study needs no rounds and may be deactivated when idle.</summary>
    async Task Finished()
    {
        roundTimer?.Dispose();
        roundTimer = null;
        await GrainFactory.GetGrain<IStudyRegistryGrain>(0).MarkFinished(Name);
    }

    StudyTrial? Best()
    {
        // The search's best: confirmation re-runs are summarised apart, as means over seeds.
        var completed = S.Trials.Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null).ToList();
        if (completed.Count == 0) return null;
        return Direction == StudyDirection.Maximize ? completed.MaxBy(t => t.Value) : completed.MinBy(t => t.Value);
    }

    StudyStatus Status()
    {
        var r = S.Request!;
        var views = S.Trials.Select(View).ToList();
        var best = Best();
        var baseline = S.Trials.FirstOrDefault(t => t.Objective == Objective.Nll.Spec);
        return new StudyStatus
        {
            Study = Name, State = S.State, Backbone = r.Backbone, Trials = views,
            Best = best is null ? null : views[best.Number],
            Baseline = baseline is null ? null : views[baseline.Number],
            Metric = r.Metric, Direction = Direction == StudyDirection.Maximize ? "maximize" : "minimize",
            TrialBudget = r.Trials, Parallel = r.Parallel, Message = S.Message, Dataset = S.Dataset,
            Created = S.Created, Sampler = r.Sampler, Pruner = r.Pruner,
            Confirmation = StudyConfirmation.Summarise(S.Trials, r.ConfirmSeeds, Direction),
            Confirm = r.Confirm, ConfirmSeeds = r.ConfirmSeeds,
            Dtype = r.Dtype, GradientCheckpointing = r.GradientCheckpointing, LoraRank = r.LoraRank, LoraAlpha = r.LoraAlpha,
            LoraTargets = r.LoraTargets,
        };
    }

    TrialView View(StudyTrial t) => new()
    {
        Number = t.Number, Objective = t.Objective, ParamsJson = t.ParamsJson, State = t.State, Value = t.Value,
        Attempts = t.Attempts.Select(a => new AttemptView(a.Attempt, a.Silo, a.Device, a.Started, a.Ended, a.Outcome, a.WorkStarted, a.WorkEnded, a.Released)).ToList(),
        Step = t.Step, Steps = S.Request!.Steps, Message = t.Message,
        Role = t.Role, Seed = t.Seed ?? S.Request!.Seed, LearningRate = t.LearningRate,
        TrainableParameters = t.TrainableParameters, WeightDtype = t.WeightDtype,
    };
}
