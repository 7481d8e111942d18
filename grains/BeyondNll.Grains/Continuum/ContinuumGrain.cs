using BeyondNll.Grains.Trials;
using BeyondNll.Studies;

namespace BeyondNll.Grains.Continuum;

[GenerateSerializer, Alias("bnll.ContinuumState")]
public sealed class ContinuumState
{
    [Id(0)] public List<ContinuumEntry> Entries { get; set; } = [];
}

/// <summary>
/// The continuum store: every finished study's point (a study that records again replaces its own),
/// and per backbone × data set × metric the one that counts by <see cref="StudyEvidence"/>. Small: an
/// entry is a few hundred bytes plus one value per trial.
/// </summary>
public sealed class ContinuumGrain(
    [PersistentState("continuum", StorageNames.Cluster)] IPersistentState<ContinuumState> state) : Grain, IContinuumGrain
{
    public async Task Record(ContinuumEntry entry)
    {
        var entries = state.State.Entries;
        entries.RemoveAll(e => e.Study == entry.Study);
        entries.Add(entry);
        entries.Sort((a, b) => (a.Probe?.MeanP ?? -1).CompareTo(b.Probe?.MeanP ?? -1) is var c and not 0 ? c
            : string.CompareOrdinal(a.Backbone, b.Backbone));
        await state.WriteWithRetry();
    }

    public Task<IReadOnlyList<ContinuumEntry>> List() => Task.FromResult(StudyEvidence.Counted(state.State.Entries));

    public Task<IReadOnlyList<ContinuumEntry>> ListAll() => Task.FromResult<IReadOnlyList<ContinuumEntry>>(state.State.Entries.ToList());
}
