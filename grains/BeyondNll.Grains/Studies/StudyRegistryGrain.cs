using Microsoft.Extensions.Logging;

namespace BeyondNll.Grains.Studies;

[GenerateSerializer, Alias("bnll.StudyRegistryState")]
public sealed class StudyRegistryState
{
    [Id(0)] public List<string> Studies { get; set; } = [];
    [Id(1)] public HashSet<string> Unfinished { get; set; } = [];
}

/// <summary>
/// The names of all studies, and which are unfinished. Every silo's watchdog calls
/// <see cref="TickAll"/>; that is how studies resume after their silo dies or the cluster restarts.
/// </summary>
public sealed class StudyRegistryGrain(
    [PersistentState("studies", StorageNames.Cluster)] IPersistentState<StudyRegistryState> state,
    ILogger<StudyRegistryGrain> logger) : Grain, IStudyRegistryGrain
{
    public async Task<bool> TryAdd(string study)
    {
        if (state.State.Studies.Contains(study)) return false;
        state.State.Studies.Add(study);
        state.State.Unfinished.Add(study);
        await state.WriteWithRetry();
        return true;
    }

    public async Task Remove(string study)
    {
        if (state.State.Studies.Remove(study) | state.State.Unfinished.Remove(study)) await state.WriteWithRetry();
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.Studies.ToList());

    public async Task MarkFinished(string study)
    {
        if (state.State.Unfinished.Remove(study)) await state.WriteWithRetry();
    }

    public async Task TickAll()
    {
        // One at a time: ticks are cheap, and a slow study must not hold up the others for long.
        foreach (var study in state.State.Unfinished.ToList())
        {
            try
            {
                await GrainFactory.GetGrain<IStudyGrain>(study).Tick().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Tick of study {Study} failed", study);
            }
        }
    }
}
