using Orleans.Storage;
using Polly;

namespace BeyondNll.Grains;

/// <summary>
/// Grain state writes that ride out a short outage of the store, such as a Redis server restarting:
/// retried with backoff for about 25 s, inside the 30 s a grain call may take. A conflicting ETag is
/// not retried: the stored state moved on, and Orleans reactivates the grain from it.
/// </summary>
public static class StateWrites
{
    static readonly ResiliencePipeline Pipeline = Backoff.Retry(7, e => e is not InconsistentStateException);

    public static async Task WriteWithRetry<T>(this IPersistentState<T> state) =>
        await Pipeline.ExecuteAsync(async _ => await state.WriteStateAsync());

    /// <summary>A write of a record the grain keeps apart from its own state (see Studies/TrialRecords).</summary>
    public static async Task WriteWithRetry<T>(this IGrainStorage storage, string stateName, GrainId id, IGrainState<T> state) =>
        await Pipeline.ExecuteAsync(async _ => await storage.WriteStateAsync(stateName, id, state));

    /// <summary>A read through the same short outages.</summary>
    public static async Task ReadWithRetry<T>(this IGrainStorage storage, string stateName, GrainId id, IGrainState<T> state) =>
        await Pipeline.ExecuteAsync(async _ => await storage.ReadStateAsync(stateName, id, state));
}
