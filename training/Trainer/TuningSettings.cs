using BeyondNll.Training.Model;
using static TorchSharp.torch;

namespace BeyondNll.Training.Trainer;

/// <summary>
/// The real-backbone settings of a fine-tuning run, named as `bnll train` and `bnll search start`
/// take them: --dtype (the weights' dtype), --gradient-checkpointing, and --lora-rank, --lora-alpha,
/// --lora-targets (train low-rank adapters instead of all weights). The defaults are full
/// fine-tuning in float32 without checkpointing. One place parses, checks and applies them, so a
/// search's trials train exactly as `bnll train` does.
/// </summary>
public sealed record TuningSettings
{
    public static readonly TuningSettings Default = new();

    /// <summary>float32 or bfloat16 (and the short spellings <see cref="WeightPrecision.Parse"/> takes).</summary>
    public string Dtype { get; init; } = WeightPrecision.Float32;
    public bool GradientCheckpointing { get; init; }
    /// <summary>0 = no LoRA, all weights train.</summary>
    public int LoraRank { get; init; }
    public double LoraAlpha { get; init; } = 16;
    /// <summary>Comma-separated projection names, or all-linear (see <see cref="LoraOptions"/>).</summary>
    public string LoraTargets { get; init; } = LoraOptions.AllLinear;

    /// <summary>The weights' dtype; an <see cref="ArgumentException"/> names --dtype when it is unknown.</summary>
    public ScalarType WeightType
    {
        get
        {
            try { return WeightPrecision.Parse(Dtype); }
            catch (ArgumentException e) { throw new ArgumentException($"--dtype: {e.Message}", e); }
        }
    }

    /// <summary>The adapters to add, or null without LoRA.</summary>
    public LoraOptions? Lora => LoraRank == 0 ? null : new LoraOptions(LoraRank, LoraAlpha, LoraOptions.ParseTargets(LoraTargets));

    /// <summary>Throws <see cref="ArgumentException"/> naming the flag of the first setting out of range.
    /// Alpha and targets are checked even without LoRA, so a typo never waits for the day LoRA is switched on.</summary>
    public void Validate()
    {
        _ = WeightType;
        if (LoraRank < 0) throw new ArgumentException($"--lora-rank must be 0 (no LoRA) or positive, got {LoraRank}");
        if (!(LoraAlpha > 0) || !double.IsFinite(LoraAlpha))
            throw new ArgumentException($"--lora-alpha must be positive, got {LoraAlpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        try
        {
            new LoraOptions(Math.Max(LoraRank, 1), LoraAlpha, LoraOptions.ParseTargets(LoraTargets)).Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--lora-targets: {e.Message}", e);
        }
    }

    /// <summary>
    /// Makes a freshly loaded model what these settings train: weights in <see cref="Dtype"/>, then
    /// (with LoRA) adapters whose A matrices are drawn from <paramref name="seed"/> and everything
    /// else frozen. Call it on the CPU, before moving the model to a GPU: the seeded generator is a CPU one.
    /// </summary>
    public void Prepare(DecoderLM model, int seed)
    {
        Validate();
        WeightPrecision.Apply(model, WeightType);
        if (Lora is { } lora) model.EnableLora(lora, new Generator((ulong)seed));
    }

    /// <summary>The training options with these settings' part of them (gradient checkpointing).</summary>
    public TrainingOptions ApplyTo(TrainingOptions options) => options with { GradientCheckpointing = GradientCheckpointing };

    /// <summary>Parameters the optimizer updates: all of them in full fine-tuning, the adapters' under LoRA.</summary>
    public static long TrainableParameters(DecoderLM model) =>
        model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>The dtype the model's weights are in, as --dtype spells it.</summary>
    public static string DtypeOf(DecoderLM model) =>
        model.parameters().First().dtype switch
        {
            ScalarType.Float32 => WeightPrecision.Float32,
            ScalarType.BFloat16 => WeightPrecision.BFloat16,
            var other => other.ToString().ToLowerInvariant(),
        };
}
