namespace BeyondNll.Training.Model;

/// <summary>
/// Low-rank adapters (LoRA, Hu et al. 2021) as the paper's trainer (verl, through PEFT) offers them:
/// each targeted projection W [out, in] gets A [rank, in] and B [out, rank], its output becomes
/// W x + (alpha / rank) · B A x, and only A and B are trained. B starts at zero, so training starts
/// from the backbone exactly.
/// </summary>
/// <param name="TargetModules">Projection names (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj,
/// down_proj), or "all-linear" for all seven.</param>
public sealed record LoraOptions(int Rank, double Alpha, IReadOnlyList<string> TargetModules)
{
    public static readonly IReadOnlyList<string> AttentionModules = ["q_proj", "k_proj", "v_proj", "o_proj"];
    public static readonly IReadOnlyList<string> MlpModules = ["gate_proj", "up_proj", "down_proj"];
    public const string AllLinear = "all-linear";

    public double Scale => Alpha / Rank;

    /// <summary>The target names with "all-linear" expanded, each once.</summary>
    public IReadOnlySet<string> Targets =>
        TargetModules.SelectMany(t => t == AllLinear ? AttentionModules.Concat(MlpModules) : [t]).ToHashSet();

    /// <summary>Parses "q_proj,v_proj" (comma-separated) or "all-linear".</summary>
    public static IReadOnlyList<string> ParseTargets(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that makes no adapter.</summary>
    public void Validate()
    {
        if (Rank <= 0) throw new ArgumentException($"LoRA rank must be positive, got {Rank}");
        if (!(Alpha > 0) || !double.IsFinite(Alpha)) throw new ArgumentException($"LoRA alpha must be positive, got {Alpha}");
        if (TargetModules.Count == 0) throw new ArgumentException("LoRA needs at least one target module");
        foreach (var t in TargetModules)
            if (t != AllLinear && !AttentionModules.Contains(t) && !MlpModules.Contains(t))
                throw new ArgumentException($"unknown LoRA target module '{t}'; use {string.Join(", ", AttentionModules.Concat(MlpModules))} or {AllLinear}");
    }
}
