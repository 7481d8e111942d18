namespace BeyondNll.Grains;

/// <summary>A backbone registered under a name: its folder, and what was learned about it across studies.</summary>
[Alias("bnll.IBackboneGrain")]
public interface IBackboneGrain : IGrainWithStringKey
{
    /// <summary>Registers the folder (checked on the silo); throws ArgumentException when it is no backbone.</summary>
    [Alias("Register")] Task<BackboneView> Register(string path);

    /// <summary>The backbone, or null when the name is not registered.</summary>
    [Alias("Get")] Task<BackboneView?> Get();

    /// <summary>Records a capability probe of this backbone on a data set.</summary>
    [Alias("RecordProbe")] Task RecordProbe(string dataset, ProbeView probe);

    /// <summary>
    /// The capability probe of this backbone on a data file: the one stored for its data set, else
    /// measured on a free device slot of the cluster (a forward pass over the data) and stored. The
    /// one place that measures a registered backbone's probe; it interleaves with the grain's other
    /// calls, so a long measurement holds nothing up.
    /// </summary>
    /// <exception cref="ArgumentException">The backbone is not registered, or the data cannot be read.</exception>
    [Alias("Probe"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout("01:00:00")] Task<ProbeView> Probe(ProbeRequest request);

    /// <summary>Records a finished study's best objective on a data set; kept when better than the stored one.</summary>
    [Alias("RecordResult")] Task RecordResult(DatasetResult result);
}

[Alias("bnll.IBackboneRegistryGrain")]
public interface IBackboneRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task Add(string name);
    [Alias("List")] Task<IReadOnlyList<string>> List();
}

[GenerateSerializer, Immutable, Alias("bnll.ProbeView")]
public sealed record ProbeView(double MeanP, double MedianP, double ShareAboveHalf, long Tokens, string Region);

/// <summary>What to probe a backbone on: a data file (its data set's name keys the stored probe), how its
/// records are read, and the tokens per example (the study's max length).</summary>
[GenerateSerializer, Immutable, Alias("bnll.ProbeRequest")]
public sealed record ProbeRequest(string DataPath, string Dataset, string PromptKey, string ResponseKey, int MaxLength);

/// <summary>
/// Measures capability probes on free device slots of the cluster, storing nothing: the backbone
/// grain's probes, and `bnll recommend` on a backbone folder that is not registered.
/// </summary>
[Alias("bnll.IProbeGrain")]
public interface IProbeGrain : IGrainWithIntegerKey
{
    /// <summary>Waits for a free device slot (ten minutes at most), then measures there.</summary>
    /// <exception cref="ArgumentException">The folder is no backbone, or the data cannot be read.</exception>
    [Alias("Measure"), ResponseTimeout("01:00:00")] Task<ProbeView> Measure(string backbonePath, ProbeRequest request);
}

/// <summary>The best objective one study found for this backbone on one data set.</summary>
[GenerateSerializer, Immutable, Alias("bnll.DatasetResult")]
public sealed record DatasetResult
{
    [Id(0)] public required string Dataset { get; init; }
    [Id(1)] public required string Objective { get; init; }
    [Id(2)] public required string PaperKey { get; init; }
    [Id(3)] public double Value { get; init; }
    [Id(4)] public double? NllValue { get; init; }
    /// <summary>Value minus the NLL baseline's, signed so that positive is better.</summary>
    [Id(5)] public double? Gain { get; init; }
    [Id(6)] public required string Study { get; init; }
    [Id(7)] public required string Metric { get; init; }
    /// <summary>The study's confirmation on fresh seeds, when it ran one.</summary>
    [Id(8)] public ConfirmationView? Confirmation { get; init; }
}

[GenerateSerializer, Immutable, Alias("bnll.BackboneView")]
public sealed record BackboneView
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Path { get; init; }
    [Id(2)] public long Parameters { get; init; }
    [Id(3)] public string Tokenizer { get; init; } = "";
    [Id(4)] public IReadOnlyDictionary<string, ProbeView> Probes { get; init; } = new Dictionary<string, ProbeView>();
    [Id(5)] public IReadOnlyList<DatasetResult> Results { get; init; } = [];
    [Id(6)] public DateTimeOffset Added { get; init; }
}
