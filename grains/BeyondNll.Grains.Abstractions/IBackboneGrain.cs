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

    /// <summary>Records a finished study's answer on a data set; kept when the counting rule prefers it to the stored one
    /// (see StudyEvidence: confirmed before unconfirmed, then more seeds, then the later), as the continuum does.</summary>
    [Alias("RecordResult")] Task RecordResult(DatasetResult result);
}

[Alias("bnll.IBackboneRegistryGrain")]
public interface IBackboneRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task Add(string name);
    [Alias("List")] Task<IReadOnlyList<string>> List();
}

/// <summary>
/// A capability probe: p of the data's response tokens under the backbone before training. MeanP,
/// MedianP and ShareAboveHalf are on the training data (what places the backbone on the continuum);
/// <paramref name="HeldOutMeanP"/> on clean held-out responses (validation), when there were some,
/// since noisy training responses pull p down. <paramref name="MaxLength"/> is the tokens per example
/// it was measured at (0 for a probe stored before that was recorded). Region is named by this
/// project's cut-offs (0.3, 0.6), not the paper's, which places settings by domain.
/// </summary>
[GenerateSerializer, Immutable, Alias("bnll.ProbeView")]
public sealed record ProbeView(double MeanP, double MedianP, double ShareAboveHalf, long Tokens, string Region,
    int MaxLength = 0, double? HeldOutMeanP = null);

/// <summary>What to probe a backbone on: a data file (its data set's name keys the stored probe), how its
/// records are read, the tokens per example (the study's max length, the same everywhere), and clean
/// held-out data to probe too (a study's validation file), if any.</summary>
[GenerateSerializer, Immutable, Alias("bnll.ProbeRequest")]
public sealed record ProbeRequest(string DataPath, string Dataset, string PromptKey, string ResponseKey, int MaxLength,
    string? HeldOutPath = null);

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

/// <summary>
/// One study's answer for this backbone on one data set, the one that counts for it by the counting
/// rule: <see cref="Value"/> is the winner's on validation, <see cref="TestValue"/> on held-out test
/// data; <see cref="NllValue"/> and <see cref="Gain"/> are on <see cref="Split"/>.
/// </summary>
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
    [Id(9)] public double? TestValue { get; init; }
    /// <summary>The winner's learning rate.</summary>
    [Id(10)] public double LearningRate { get; init; }
    /// <summary>True when the answer is a confirmation's; false: unconfirmed single trials.</summary>
    [Id(11)] public bool Confirmed { get; init; }
    [Id(12)] public string Split { get; init; } = "validation";
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
