using BeyondNll.Studies;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Model;

namespace BeyondNll.Grains.Backbones;

[GenerateSerializer, Alias("bnll.BackboneState")]
public sealed class BackboneState
{
    [Id(0)] public BackboneView? View { get; set; }
}

/// <summary>
/// A backbone by name: its folder, its probes per data set, and per data set and metric the answer
/// that counts among the studies of it (<see cref="StudyEvidence"/>, the continuum's rule: a
/// confirmed answer before an unconfirmed one, then more seeds, then the later study).
/// </summary>
public sealed class BackboneGrain(
    [PersistentState("backbone", StorageNames.Cluster)] IPersistentState<BackboneState> state) : Grain, IBackboneGrain
{
    string Name => this.GetPrimaryKeyString();

    public async Task<BackboneView> Register(string path)
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Contains('|'))
            throw new ArgumentException($"backbone name '{Name}' must be non-empty and free of '|'");
        var full = Path.GetFullPath(path);
        // Reading the config (not the weights) tells whether this is a backbone, without loading gigabytes.
        var (config, info) = await Task.Run(() => Describe(full));
        var existing = state.State.View;
        if (existing is not null && existing.Path != full)
            throw new ArgumentException($"backbone '{Name}' is registered already, at {existing.Path}");
        state.State.View = (existing ?? new BackboneView { Name = Name, Path = full, Added = DateTimeOffset.UtcNow }) with
        {
            Parameters = config.ParameterCount(),
            Tokenizer = info.Tokenizer,
        };
        await state.WriteWithRetry();
        await GrainFactory.GetGrain<IBackboneRegistryGrain>(0).Add(Name);
        return state.State.View;
    }

    public Task<BackboneView?> Get() => Task.FromResult(state.State.View);

    public async Task RecordProbe(string dataset, ProbeView probe)
    {
        var view = Required();
        state.State.View = view with { Probes = new Dictionary<string, ProbeView>(view.Probes) { [dataset] = probe } };
        await state.WriteWithRetry();
    }

    /// <summary>Probes being measured now, by data set: a second call for one waits for the same measurement.</summary>
    readonly Dictionary<string, Task<ProbeView>> measuring = [];

    public async Task<ProbeView> Probe(ProbeRequest request)
    {
        var view = Required();
        // A probe counts at the length it was measured at (every probe of a study is at its max length):
        // one stored at another length, before lengths were recorded, or without the held-out part asked for, is measured again.
        if (view.Probes.TryGetValue(request.Dataset, out var stored) && stored.MaxLength == request.MaxLength
            && (request.HeldOutPath is null || stored.HeldOutMeanP is not null)) return stored;
        if (!measuring.TryGetValue(request.Dataset, out var measurement))
            measuring[request.Dataset] = measurement = MeasureAndRecord(view.Path, request);
        return await measurement;
    }

    async Task<ProbeView> MeasureAndRecord(string path, ProbeRequest request)
    {
        try
        {
            var probe = await GrainFactory.GetGrain<IProbeGrain>(0).Measure(path, request);
            // Through a call of its own, so the write never overlaps another one of this grain's.
            await this.AsReference<IBackboneGrain>().RecordProbe(request.Dataset, probe);
            return probe;
        }
        finally
        {
            measuring.Remove(request.Dataset);
        }
    }

    public async Task RecordResult(DatasetResult result)
    {
        var view = Required();
        var stored = view.Results.FirstOrDefault(r => r.Dataset == result.Dataset && r.Metric == result.Metric);
        if (stored is not null && !StudyEvidence.Replaces(result, stored)) return;
        var results = view.Results.Where(r => r != stored).Append(result).OrderBy(r => r.Dataset).ToList();
        state.State.View = view with { Results = results };
        await state.WriteWithRetry();
    }

    BackboneView Required() => state.State.View ?? throw new ArgumentException($"no backbone named '{Name}'");

    // A synthetic backbone or a Hugging Face model folder; what is wrong with it is bad input.
    static (DecoderConfig, BackboneInfo) Describe(string folder)
    {
        try
        {
            return Backbone.Describe(folder);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new ArgumentException(e.Message, e);
        }
    }
}

[GenerateSerializer, Alias("bnll.BackboneRegistryState")]
public sealed class BackboneRegistryState
{
    [Id(0)] public List<string> Names { get; set; } = [];
}

public sealed class BackboneRegistryGrain(
    [PersistentState("backbones", StorageNames.Cluster)] IPersistentState<BackboneRegistryState> state) : Grain, IBackboneRegistryGrain
{
    public async Task Add(string name)
    {
        if (state.State.Names.Contains(name)) return;
        state.State.Names.Add(name);
        await state.WriteWithRetry();
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.Names.Order().ToList());
}
