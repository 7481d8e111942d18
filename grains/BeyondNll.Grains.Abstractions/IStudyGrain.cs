namespace BeyondNll.Grains;

/// <summary>
/// One search over the objective family for one backbone and data set (key: the study's name).
/// It asks the sampler for trials, keeps as many in flight as there are free devices (up to the
/// request's parallelism), feeds results and intermediate values to the sampler and pruner, and
/// reruns the attempts that a lost silo took with it.
/// </summary>
[Alias("bnll.IStudyGrain")]
public interface IStudyGrain : IGrainWithStringKey
{
    /// <summary>Checks the request, stores it and starts the search; throws ArgumentException for bad input.</summary>
    [Alias("Start")] Task<StudyStatus> Start(StudyRequest request);

    [Alias("GetStatus"), Orleans.Concurrency.AlwaysInterleave] Task<StudyStatus> GetStatus();

    /// <summary>Stops running trials and ends the study as cancelled.</summary>
    [Alias("Cancel")] Task<StudyStatus> Cancel();

    /// <summary>A scheduling round: notice lost attempts, start trials on free devices. Idempotent.</summary>
    [Alias("Tick")] Task Tick();

    /// <summary>A trial grain reports how an attempt ended.</summary>
    [Alias("OnTrialFinished")] Task OnTrialFinished(TrialOutcome outcome);

    /// <summary>A trial grain reports an intermediate value; the answer is false when the pruner stops the trial.</summary>
    [Alias("OnIntermediate")] Task<bool> OnIntermediate(string attemptKey, int step, double value);
}

/// <summary>One training attempt of one trial, on one device of the silo named in its key.</summary>
[Alias("bnll.ITrialGrain")]
public interface ITrialGrain : IGrainWithStringKey
{
    /// <summary>Starts training off the grain scheduler and returns at once; idempotent.</summary>
    [Alias("Start")] Task Start(TrialSpec spec);

    [Alias("GetProgress"), Orleans.Concurrency.AlwaysInterleave] Task<TrialProgress> GetProgress();

    /// <summary>How the attempt ended, or null while it runs: lets a study recover an outcome whose report was lost.</summary>
    [Alias("GetOutcome"), Orleans.Concurrency.AlwaysInterleave] Task<TrialOutcome?> GetOutcome();

    [Alias("Cancel"), Orleans.Concurrency.AlwaysInterleave] Task Cancel(string reason);
}

/// <summary>The devices of one silo (key: the silo's address); it lives on that silo.</summary>
[Alias("bnll.IDeviceHostGrain")]
public interface IDeviceHostGrain : IGrainWithStringKey
{
    [Alias("GetDevices")] Task<IReadOnlyList<DeviceView>> GetDevices();

    /// <summary>Reserves a free device for an attempt and returns its id, or null when all are busy.</summary>
    [Alias("TryReserve")] Task<string?> TryReserve(string attemptKey, string workload);

    /// <summary>Frees a reservation that will not be used.</summary>
    [Alias("Release")] Task Release(string attemptKey);
}

[GenerateSerializer, Immutable, Alias("bnll.DeviceView")]
public sealed record DeviceView(string Id, string Kind, bool Busy, string? Attempt);

/// <summary>The names of all studies, so that unfinished ones are resumed after a restart (key 0).</summary>
[Alias("bnll.IStudyRegistryGrain")]
public interface IStudyRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Claims a name; false when it is taken.</summary>
    [Alias("TryAdd")] Task<bool> TryAdd(string study);

    [Alias("Remove")] Task Remove(string study);

    [Alias("List")] Task<IReadOnlyList<string>> List();

    /// <summary>Ticks every unfinished study; every silo calls this on a timer, so studies outlive their silo.</summary>
    [Alias("TickAll")] Task TickAll();

    [Alias("MarkFinished")] Task MarkFinished(string study);
}
