using BeyondNll.Studies;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace BeyondNll.Grains.Continuum;

/// <summary>The continuum's own record: which studies have a point. Each point is a record of its own.</summary>
[GenerateSerializer, Alias("bnll.ContinuumState")]
public sealed class ContinuumState
{
    /// <summary>
    /// Where versions before the points were stored apart kept every point, each with one value per
    /// trial: the record grew with every study's trials. Read once, moved to records of their own, emptied.
    /// </summary>
    [Id(0)] public List<ContinuumEntry> Entries { get; set; } = [];

    /// <summary>The studies with a point, in the order they first recorded one.</summary>
    [Id(1)] public List<string> Studies { get; set; } = [];
}

/// <summary>
/// The continuum store: every finished study's point (a study that records again replaces its own),
/// and per backbone × data set × metric the one that counts by <see cref="StudyEvidence"/>. A point
/// carries one value per trial of its study, so each is a record of its own (state "point" under
/// bnll-point/STUDY) and the continuum's record only names the studies: recording a point writes that
/// point, and the list of names when the study is new, whatever the other studies hold.
/// </summary>
public sealed class ContinuumGrain(
    [PersistentState("continuum", StorageNames.Cluster)] IPersistentState<ContinuumState> state,
    [FromKeyedServices(StorageNames.Cluster)] IGrainStorage storage) : Grain, IContinuumGrain
{
    readonly SeparateRecords<ContinuumEntry> points = new(storage, "bnll-point", "point");

    /// <summary>Every point, in memory, in the order <see cref="ListAll"/> gives them.</summary>
    readonly List<ContinuumEntry> entries = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        entries.AddRange((await points.ReadMany(state.State.Studies)).OfType<ContinuumEntry>());
        if (state.State.Entries.Count > 0) await MoveEntriesOfEarlierVersion();
        Sort();
    }

    /// <summary>Puts <paramref name="entry"/> in memory in place of its study's earlier point, if any.</summary>
    void Put(ContinuumEntry entry)
    {
        entries.RemoveAll(e => e.Study == entry.Study);
        entries.Add(entry);
    }

    /// <summary>
    /// Points stored inside the record by an earlier version become records of their own. The points
    /// are written before the record that names them drops them, so a failure in between leaves them
    /// where they were, to be moved again at the next activation.
    /// </summary>
    async Task MoveEntriesOfEarlierVersion()
    {
        foreach (var entry in state.State.Entries)
        {
            await points.Write(entry.Study, entry);
            Put(entry);
            if (!state.State.Studies.Contains(entry.Study)) state.State.Studies.Add(entry.Study);
        }
        state.State.Entries = [];
        await state.WriteWithRetry();
    }

    public async Task Record(ContinuumEntry entry)
    {
        // The point first: a failure before the names are written leaves a point no one lists, and the
        // study records again (its call failed), which writes both.
        await points.Write(entry.Study, entry);
        Put(entry);
        Sort();
        if (state.State.Studies.Contains(entry.Study)) return;
        state.State.Studies.Add(entry.Study);
        try
        {
            await state.WriteWithRetry();
        }
        catch
        {
            // Not stored: the study's next call must find it new again and write the names.
            state.State.Studies.Remove(entry.Study);
            throw;
        }
    }

    void Sort() =>
        entries.Sort((a, b) => (a.Probe?.MeanP ?? -1).CompareTo(b.Probe?.MeanP ?? -1) is var c and not 0 ? c
            : string.CompareOrdinal(a.Backbone, b.Backbone));

    public Task<IReadOnlyList<ContinuumEntry>> List() => Task.FromResult(StudyEvidence.Counted(entries));

    public Task<IReadOnlyList<ContinuumEntry>> ListAll() => Task.FromResult<IReadOnlyList<ContinuumEntry>>(entries.ToList());
}
