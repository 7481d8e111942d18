using Orleans.Storage;

namespace BeyondNll.Grains;

/// <summary>
/// Records a grain keeps apart from its own state, one per key, in the cluster's grain storage (state
/// <c>stateName</c> under the id <c>type/KEY</c>), so that changing one writes that one alone: what a
/// write costs does not grow with how many there are. The grain that owns them is their only writer;
/// this keeps each record's ETag between its reads and writes.
/// </summary>
public sealed class SeparateRecords<T>(IGrainStorage storage, string type, string stateName) where T : class
{
    /// <summary>Records read at once by <see cref="ReadMany"/>: enough to hide a store's latency, few enough to be polite.</summary>
    public const int ReadBatch = 64;

    readonly Dictionary<string, GrainState<T>> stored = [];

    /// <summary>The records under <paramref name="keys"/>, in their order (null where there is none), read <see cref="ReadBatch"/> at a time.</summary>
    public async Task<List<T?>> ReadMany(IEnumerable<string> keys)
    {
        var records = new List<T?>();
        foreach (var batch in keys.Chunk(ReadBatch)) records.AddRange(await Task.WhenAll(batch.Select(Read)));
        return records;
    }

    /// <summary>The record under <paramref name="key"/>, null when there is none (its ETag is kept either way).</summary>
    public async Task<T?> Read(string key)
    {
        var state = new GrainState<T>();
        await storage.ReadWithRetry(stateName, IdOf(key), state);
        stored[key] = state;
        return state.RecordExists ? state.State : null;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing what was there.</summary>
    public async Task Write(string key, T value)
    {
        // A record written without a read first (a new one) starts without an ETag, as a new record must.
        if (!stored.TryGetValue(key, out var state)) stored[key] = state = new GrainState<T>();
        state.State = value;
        await storage.WriteWithRetry(stateName, IdOf(key), state);
    }

    GrainId IdOf(string key) => GrainId.Create(type, key);
}
