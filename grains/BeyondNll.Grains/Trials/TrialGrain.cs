using System.Diagnostics;
using System.Threading.Channels;
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
/// thread of its own; this grain stays responsive for progress and cancel, relays intermediate values
/// to the study (whose answer may prune the attempt), frees the device when training ends, stores how
/// the attempt ended and reports it to the study, retrying that report through transient faults.
/// </summary>
[SiloBoundPlacement, KeepAlive]
public sealed class TrialGrain(
    [PersistentState("attempt", StorageNames.Cluster)] IPersistentState<TrialGrainState> state,
    DeviceSlots devices, IWorkloadFactory workloads, ClusterMetrics metrics, ILocalSiloDetails silo,
    ILogger<TrialGrain> logger) : Grain, ITrialGrain
{
    /// <summary>Calls to the study are retried with backoff: it may be moving to another silo.</summary>
    static readonly ResiliencePipeline StudyCalls = Backoff.Retry(6, e => e is not ArgumentException);

    readonly CancellationTokenSource stop = new();
    string? stopReason;
    TrialStopKind stopKind;
    volatile TrialProgress? progress;
    Task? run;

    enum TrialStopKind { None, Pruned, Cancelled, HandedBack }

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
        progress = new TrialProgress(TrialRunState.Running, 0, spec.Recipe.Steps, null, null, spec.Device);
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
    public Task<TrialProgress> GetProgress() => Task.FromResult(progress ?? new TrialProgress(
        state.State.State, 0, state.State.Spec?.Recipe?.Steps ?? 0, null, null, state.State.Spec?.Device ?? ""));

    public Task<TrialOutcome?> GetOutcome() => Task.FromResult(state.State.Outcome);

    public Task Cancel(string reason)
    {
        if (stopKind == TrialStopKind.None)
        {
            stopKind = TrialStopKind.Cancelled;
            stopReason = reason;
        }
        stop.Cancel();
        return Task.CompletedTask;
    }

    /// <summary>Runs on this activation's scheduler; only the workload itself runs on another thread.</summary>
    async Task RunAsync(TrialSpec spec, DeviceSlot device, Task started)
    {
        var watch = Stopwatch.StartNew();
        var events = Channel.CreateUnbounded<WorkloadEvent>(new UnboundedChannelOptions { SingleReader = true });
        var host = silo.SiloAddress.ToString();
        var workload = workloads.Create(spec.Workload);
        var token = stop.Token;
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
                return workload.Run(spec, device, new ChannelReporter(events.Writer), token);
            }
            finally
            {
                workEnded = DateTimeOffset.UtcNow;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _ = work.ContinueWith(_ => events.Writer.TryComplete(), TaskScheduler.Default);

        var study = GrainFactory.GetGrain<IStudyGrain>(spec.Study);
        double? lastIntermediate = null;
        await foreach (var e in events.Reader.ReadAllAsync())
        {
            if (e.Intermediate is { } value)
            {
                lastIntermediate = value;
                var keep = await TryCallStudy(() => study.OnIntermediate(Key, e.Step, value), fallback: true);
                if (!keep && stopKind == TrialStopKind.None)
                {
                    stopKind = TrialStopKind.Pruned;
                    stopReason = $"pruned at step {e.Step} ({value:G4})";
                    stop.Cancel();
                }
            }
            progress = new TrialProgress(TrialRunState.Running, e.Step, spec.Recipe.Steps, e.Loss ?? progress?.Loss, lastIntermediate, spec.Device);
        }

        var outcome = await Outcome(work, spec, watch.Elapsed.TotalSeconds);
        var waiter = devices.Release(Key);
        outcome = outcome with { WorkStarted = workStarted, WorkEnded = workEnded, Released = DateTimeOffset.UtcNow };
        // A study waiting for a device hears of this one at once rather than on its next round.
        if (waiter is not null && waiter != spec.Study && StudyRequestValidator.IsStudyName(waiter))
            _ = GrainFactory.GetGrain<IStudyGrain>(waiter).Tick();
        metrics.AttemptEnded(outcome.Seconds, outcome.State);
        state.State.State = outcome.State;
        state.State.Ended = DateTimeOffset.UtcNow;
        state.State.Outcome = outcome;
        progress = new TrialProgress(outcome.State, progress?.Step ?? 0, spec.Recipe.Steps, progress?.Loss, lastIntermediate, spec.Device);
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

    async Task<TrialOutcome> Outcome(Task<WorkloadResult> work, TrialSpec spec, double seconds)
    {
        TrialOutcome Make(TrialRunState s, string reason, double? value = null, bool transient = false) => new()
        {
            AttemptKey = Key, Number = spec.Number, Attempt = spec.Attempt, State = s, Value = value,
            Reason = reason, Transient = transient, Seconds = seconds,
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
                : Make(TrialRunState.Failed, $"the metric came out {result.Value}");
        }
        catch (OperationCanceledException)
        {
            return stopKind switch
            {
                TrialStopKind.Pruned => Make(TrialRunState.Pruned, stopReason!),
                TrialStopKind.HandedBack => Make(TrialRunState.Failed, stopReason!, transient: true),
                _ => Make(TrialRunState.Cancelled, stopReason ?? "cancelled"),
            };
        }
        catch (Exception e) when (e is TrainingDivergedException or InvalidDataException or ArgumentException or FileNotFoundException or FormatException)
        {
            // The trial itself is at fault (it diverged) or its inputs are: another attempt would fail the same way.
            return Make(TrialRunState.Failed, e.Message);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Attempt {Attempt} failed", Key);
            return Make(TrialRunState.Failed, $"{e.GetType().Name}: {e.Message}", transient: true);
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

    readonly record struct WorkloadEvent(int Step, double? Loss, double? Intermediate);

    sealed class ChannelReporter(ChannelWriter<WorkloadEvent> writer) : IWorkloadReporter
    {
        public void Step(int step, int steps, double loss) => writer.TryWrite(new WorkloadEvent(step, loss, null));
        public void Intermediate(int step, double value) => writer.TryWrite(new WorkloadEvent(step, null, value));
    }
}
