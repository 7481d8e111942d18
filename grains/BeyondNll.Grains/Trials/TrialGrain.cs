using System.Diagnostics;
using System.Threading.Channels;
using BeyondNll.Grains.Artifacts;
using BeyondNll.Grains.Devices;
using BeyondNll.Grains.Placement;
using BeyondNll.Grains.Workloads;
using BeyondNll.Studies;
using BeyondNll.Training.Trainer;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Polly;

namespace BeyondNll.Grains.Trials;

/// <summary>
/// One attempt at one trial, on the device its study reserved on this silo. The training runs on a
/// thread of its own (the torch workload in a worker process); this grain stays responsive for progress
/// and cancel, relays intermediate values to the study (whose answer may prune the attempt), keeps the
/// attempt's log and learning curve, stops it at the study's time limit, frees the device when training
/// ends, stores how the attempt ended and reports it to the study, retrying that report through
/// transient faults.
/// </summary>
[SiloBoundPlacement, KeepAlive]
public sealed class TrialGrain(
    [PersistentState("attempt", StorageNames.Cluster)] IPersistentState<TrialGrainState> state,
    DeviceSlots devices, IWorkloadFactory workloads, ArtifactFolders artifacts, ClusterMetrics metrics, ILocalSiloDetails silo,
    ILogger<TrialGrain> logger) : Grain, ITrialGrain
{
    /// <summary>Calls to the study are retried with backoff: it may be moving to another silo.</summary>
    static readonly ResiliencePipeline StudyCalls = Backoff.Retry(6, e => e is not ArgumentException);

    readonly CancellationTokenSource stop = new();
    string? stopReason;
    TrialStopKind stopKind;
    Task? run;

    // How the running attempt stands; written and read on this activation's scheduler only.
    TrialRunState runState = TrialRunState.Running;
    int step, resumedFrom;
    int? pid;
    double? loss, lastIntermediate;
    LearningCurve? curve;

    enum TrialStopKind { None, Pruned, Cancelled, HandedBack, TimeLimit }

    string Key => this.GetPrimaryKeyString();

    public async Task Start(TrialSpec spec)
    {
        if (state.State.Spec is not null) return; // this attempt already started: Start is idempotent
        if (devices.Find(spec.Device) is not { } device)
            throw new ArgumentException($"{silo.SiloAddress} has no device {spec.Device}");
        if (!devices.Claim(Key, spec.Device))
            throw new InvalidOperationException($"device {spec.Device} on {silo.SiloAddress} is not reserved for {Key}");

        state.State.Spec = spec;
        state.State.State = TrialRunState.Running;
        state.State.Started = DateTimeOffset.UtcNow;
        curve = new LearningCurve(spec.Recipe.Steps);
        if (spec.TimeLimit > 0)
            this.RegisterGrainTimer(() => Stop(TrialStopKind.TimeLimit, $"time limit of {spec.TimeLimit:G4} s reached"),
                new GrainTimerCreationOptions(TimeSpan.FromSeconds(spec.TimeLimit), Timeout.InfiniteTimeSpan));
        metrics.AttemptStarted();
        logger.LogInformation("Attempt {Attempt} starts {Objective} on {Device}", Key, spec.Recipe.Objective, spec.Device);
        // The device starts working while the record is stored (the study stored the attempt already);
        // Start still returns only once it is stored, and the outcome is written after it.
        var stored = state.WriteWithRetry();
        run = RunAsync(spec, device, stored);
        try
        {
            await stored;
        }
        catch
        {
            // The study hears that this attempt did not start and frees its device: stop the work.
            await Cancel("its record could not be stored");
            throw;
        }
    }

    /// <summary>
    /// A silo shutting down stops its running attempts and hands them back: they end as failed with
    /// a transient reason, so their study reruns them elsewhere, and nothing is lost.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (run is { IsCompleted: false })
        {
            if (stopKind == TrialStopKind.None)
            {
                stopKind = TrialStopKind.HandedBack;
                stopReason = $"handed back: {reason.Description}";
            }
            stop.Cancel();
            try
            {
                await run.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                logger.LogWarning("Attempt {Attempt} did not stop before its silo did", Key);
            }
        }
    }

    // An attempt stored by a version before recipes has a spec without one: it reads as 0 steps.
    public Task<TrialProgress> GetProgress() => Task.FromResult(curve is null
        ? new TrialProgress(state.State.State, 0, state.State.Spec?.Recipe?.Steps ?? 0, null, null, state.State.Spec?.Device ?? "",
            state.State.Outcome?.ResumedFromStep ?? 0, state.State.Outcome?.Pid)
        : new TrialProgress(runState, step, state.State.Spec!.Recipe.Steps, loss, lastIntermediate, state.State.Spec.Device,
            resumedFrom, pid, curve.Points));

    public Task<TrialOutcome?> GetOutcome() => Task.FromResult(state.State.Outcome);

    public Task Cancel(string reason) => Stop(TrialStopKind.Cancelled, reason);

    /// <summary>Stops the work (a worker process is killed); the first reason given is the one that counts.</summary>
    Task Stop(TrialStopKind kind, string reason)
    {
        if (stopKind == TrialStopKind.None)
        {
            stopKind = kind;
            stopReason = reason;
        }
        stop.Cancel();
        return Task.CompletedTask;
    }

    /// <summary>Runs on this activation's scheduler; only the workload itself runs on another thread.</summary>
    async Task RunAsync(TrialSpec spec, DeviceSlot device, Task started)
    {
        // Under the study's span that started it (the incoming call's context); the outcome's report to the study goes under this one.
        using var span = ClusterTracing.Source.StartActivity(ClusterTracing.TrialAttempt)?.SetTag(ClusterTracing.StudyTag, spec.Study)
            .SetTag(ClusterTracing.TrialTag, spec.Number).SetTag(ClusterTracing.AttemptTag, spec.Attempt)
            .SetTag(ClusterTracing.DeviceTag, $"{silo.SiloAddress}/{spec.Device}").SetTag(ClusterTracing.ObjectiveTag, spec.Recipe.Objective);
        var watch = Stopwatch.StartNew();
        var events = Channel.CreateUnbounded<WorkloadEvent>(new UnboundedChannelOptions { SingleReader = true });
        var host = silo.SiloAddress.ToString();
        var workload = workloads.Create(spec.Workload);
        var token = stop.Token;
        var log = new AttemptLog(artifacts.Log(spec.Study, spec.Number, spec.Attempt));
        log.Note($"attempt {spec.Attempt} of trial {spec.Number} on {host} {spec.Device}: {spec.Recipe.Objective}, lr {spec.Recipe.LearningRate:G4}, {spec.Recipe.Steps} steps ({spec.Workload})");
        DateTimeOffset? workStarted = null, workEnded = null; // written by the worker thread, read once it is done
        var work = Task.Factory.StartNew(() =>
        {
            // Never train on other data than the study's: this host's copies must hash the same.
            FileFingerprints.Verify(spec.Backbone, host);
            FileFingerprints.Verify(spec.Train, host);
            FileFingerprints.Verify(spec.Val, host);
            if (spec.Test is { } test) FileFingerprints.Verify(test, host);
            workStarted = DateTimeOffset.UtcNow;
            try
            {
                return workload.Run(spec, device, artifacts.FilesOf(spec.Study, spec.Number), new ChannelReporter(events.Writer, log), token);
            }
            finally
            {
                workEnded = DateTimeOffset.UtcNow;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _ = work.ContinueWith(_ => events.Writer.TryComplete(), TaskScheduler.Default);

        var study = GrainFactory.GetGrain<IStudyGrain>(spec.Study);
        await foreach (var e in events.Reader.ReadAllAsync())
        {
            if (e.Pid is { } worker) pid = worker;
            if (e.ResumedFrom is { } resumed) step = resumedFrom = resumed;
            if (e.Loss is { } stepLoss)
            {
                (step, loss) = (e.Step, stepLoss);
                curve!.Step(e.Step, stepLoss);
            }
            if (e.Intermediate is { } value)
            {
                lastIntermediate = value;
                curve!.Intermediate(e.Step, value);
                span?.AddEvent(new ActivityEvent("intermediate", tags: new ActivityTagsCollection { ["step"] = e.Step, [ClusterTracing.ValueTag] = value }));
                var keep = await TryCallStudy(() => study.OnIntermediate(Key, e.Step, value), fallback: true);
                if (!keep) await Stop(TrialStopKind.Pruned, $"pruned at step {e.Step} ({value:G4})");
            }
        }

        var outcome = await Outcome(work, spec, watch.Elapsed.TotalSeconds);
        var waiter = devices.Release(Key);
        outcome = outcome with
        {
            WorkStarted = workStarted, WorkEnded = workEnded, Released = DateTimeOffset.UtcNow,
            ResumedFromStep = resumedFrom, Pid = pid, Curve = curve!.Points,
        };
        log.Note($"ended {outcome.State.ToString().ToLowerInvariant()}: {outcome.Reason}" + (outcome.Failure == TrialFailure.None ? "" : $" ({outcome.Failure})"));
        log.Dispose();
        // A study waiting for a device hears of this one at once rather than on its next round.
        if (waiter is not null && waiter != spec.Study && StudyRequestValidator.IsStudyName(waiter))
            _ = GrainFactory.GetGrain<IStudyGrain>(waiter).Tick();
        metrics.AttemptEnded(outcome.Seconds, outcome.State);
        span?.SetTag(ClusterTracing.OutcomeTag, outcome.State.ToString().ToLowerInvariant()).SetTag(ClusterTracing.ValueTag, outcome.Value);
        if (outcome.State == TrialRunState.Failed) span?.SetStatus(ActivityStatusCode.Error, outcome.Reason);
        state.State.State = outcome.State;
        state.State.Ended = DateTimeOffset.UtcNow;
        state.State.Outcome = outcome;
        runState = outcome.State;
        logger.LogInformation("Attempt {Attempt} ended {State} ({Reason}) after {Seconds:F1} s", Key, outcome.State, outcome.Reason, outcome.Seconds);
        // The study hears at once, while the outcome is stored here: the device is free, and the
        // study's answer starts the next trial on it. It does not need this record (it stores the
        // outcome itself; the record and GetOutcome are for the audit trail and a lost report).
        var stored = StoreOutcome(started);
        await TryCallStudy(async () => { await study.OnTrialFinished(outcome); return true; }, fallback: false);
        await stored;
        if (stopKind != TrialStopKind.HandedBack) DeactivateOnIdle();
    }

    /// <summary>Stores the outcome once the start's record is stored (two writes at once would conflict).</summary>
    async Task StoreOutcome(Task started)
    {
        try
        {
            await started;
            await state.WriteWithRetry();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Attempt {Attempt}: storing the outcome failed", Key);
        }
    }

    /// <summary>How the work ended, with the class of a failure (the study retries lost workers and other faults only).</summary>
    async Task<TrialOutcome> Outcome(Task<WorkloadResult> work, TrialSpec spec, double seconds)
    {
        TrialOutcome Make(TrialRunState s, string reason, double? value = null, TrialFailure failure = TrialFailure.None) => new()
        {
            AttemptKey = Key, Number = spec.Number, Attempt = spec.Attempt, State = s, Value = value, Reason = reason,
            Failure = failure, Transient = failure is TrialFailure.Lost or TrialFailure.Fault, Seconds = seconds,
        };
        try
        {
            var result = await work;
            return double.IsFinite(result.Value)
                ? Make(TrialRunState.Completed, "completed", result.Value) with
                {
                    TrainableParameters = result.TrainableParameters, WeightDtype = result.WeightDtype,
                    TestValue = result.TestValue is { } test && double.IsFinite(test) ? test : null,
                }
                : Make(TrialRunState.Failed, $"the metric came out {result.Value}", failure: TrialFailure.Diverged);
        }
        catch (OperationCanceledException)
        {
            return stopKind switch
            {
                TrialStopKind.Pruned => Make(TrialRunState.Pruned, stopReason!),
                TrialStopKind.HandedBack => Make(TrialRunState.Failed, stopReason!, failure: TrialFailure.Lost),
                TrialStopKind.TimeLimit => Make(TrialRunState.Failed, stopReason!, failure: TrialFailure.TimeLimit),
                _ => Make(TrialRunState.Cancelled, stopReason ?? "cancelled"),
            };
        }
        catch (WorkloadFailedException e)
        {
            logger.LogWarning("Attempt {Attempt} failed ({Failure}): {Reason}", Key, e.Failure, e.Message);
            return Make(TrialRunState.Failed, e.Message, failure: e.Failure);
        }
        catch (Exception e) when (TrainingFailures.Classify(e) is not TrainingFailures.Fault)
        {
            // The trial itself is at fault (it diverged) or its inputs are: another attempt would fail the same way.
            return Make(TrialRunState.Failed, e.Message, failure: WorkerProcess.ClassOf(TrainingFailures.Classify(e)));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Attempt {Attempt} failed", Key);
            return Make(TrialRunState.Failed, $"{e.GetType().Name}: {e.Message}", failure: TrialFailure.Fault);
        }
    }

    async Task<T> TryCallStudy<T>(Func<Task<T>> call, T fallback)
    {
        try
        {
            return await StudyCalls.ExecuteAsync(async _ => await call());
        }
        catch (Exception e)
        {
            // The study polls this grain's outcome on its next round, so nothing is lost.
            logger.LogWarning(e, "Attempt {Attempt}: the study did not answer", Key);
            return fallback;
        }
    }

    readonly record struct WorkloadEvent(int Step, double? Loss = null, double? Intermediate = null, int? Pid = null, int? ResumedFrom = null);

    /// <summary>Passes the workload's reports to the grain's turn, and its log lines straight to the log.</summary>
    sealed class ChannelReporter(ChannelWriter<WorkloadEvent> writer, AttemptLog log) : IWorkloadReporter
    {
        public void Step(int step, int steps, double loss) => writer.TryWrite(new WorkloadEvent(step, Loss: loss));
        public void Intermediate(int step, double value) => writer.TryWrite(new WorkloadEvent(step, Intermediate: value));
        public void Started(int pid) => writer.TryWrite(new WorkloadEvent(0, Pid: pid));
        public void Resumed(int step) => writer.TryWrite(new WorkloadEvent(step, ResumedFrom: step));
        public void Log(string line) => log.Write(line);
    }
}
