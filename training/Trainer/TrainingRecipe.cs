using System.Globalization;
using System.Text.Json.Serialization;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using Orleans;
using static TorchSharp.torch;

namespace BeyondNll.Training.Trainer;

/// <summary>
/// Everything that decides how one fine-tuning run trains: the objective, the optimizer's settings,
/// the batch shape, the weights' dtype, LoRA and the seed. It is the one record of that concept:
/// `bnll train` builds it from its flags, a study nests it in its request (the base recipe), each
/// trial gets a copy with its sampled fields set (<see cref="RecipeFields"/>), and the trainer reads it.
/// </summary>
/// <remarks>
/// To add a setting, add a property here (with the next <c>Id</c>) and use it in the trainer: its
/// JSON name (snake_case, as <see cref="RecipeFields"/> spells it) becomes a search-space parameter,
/// a field of `search status --json` and of the export, with no other edit. Defaults follow the
/// paper's trainer: AdamW with betas (0.9, 0.95) and weight decay 0.01, 10% linear warm-up then
/// cosine decay, gradient clipping at 1.0. The Orleans attributes only let clusters send it.
/// </remarks>
[GenerateSerializer, Immutable, Alias("bnll.TrainingRecipe")]
public sealed record TrainingRecipe
{
    /// <summary>The objective's spec (<see cref="Objectives.Objective.Parse"/>): nll, power:10, top-p:0.5, ...</summary>
    [Id(0)] public string Objective { get; init; } = Objectives.Objective.Nll.Spec;
    /// <summary>Peak learning rate.</summary>
    [Id(1), JsonPropertyName("lr")] public double LearningRate { get; init; } = 1e-4;
    /// <summary>Optimizer steps.</summary>
    [Id(2)] public int Steps { get; init; } = 100;
    /// <summary>Examples per optimizer step.</summary>
    [Id(3)] public int BatchSize { get; init; } = 16;
    /// <summary>Examples per forward/backward; the micro-batches of a step accumulate gradients. 0 = the whole batch.</summary>
    [Id(4)] public int MicroBatchSize { get; init; }
    /// <summary>Input tokens per example; longer examples are cut on the right.</summary>
    [Id(5)] public int MaxLength { get; init; } = 128;
    /// <summary>Share of the steps spent warming the learning rate up, linearly, before the cosine decay.</summary>
    [Id(6), JsonPropertyName("warmup")] public double WarmupFraction { get; init; } = 0.1;
    [Id(7)] public double WeightDecay { get; init; } = 0.01;
    [Id(8)] public double Beta1 { get; init; } = 0.9;
    [Id(9)] public double Beta2 { get; init; } = 0.95;
    /// <summary>Gradients are clipped to this global norm.</summary>
    [Id(10)] public double GradientClip { get; init; } = 1.0;
    /// <summary>Seeds the order of examples and LoRA's initial adapters.</summary>
    [Id(11)] public int Seed { get; init; }
    /// <summary>Tokens per chunk of the head and loss (see <see cref="ObjectiveLoss"/>); 0 = by the vocabulary.</summary>
    [Id(12)] public int ChunkTokens { get; init; }
    /// <summary>float32 or bfloat16 (and the short spellings <see cref="WeightPrecision.Parse"/> takes).</summary>
    [Id(13)] public string Dtype { get; init; } = WeightPrecision.Float32;
    /// <summary>Recompute each layer's activations in the backward pass: less memory, about one more forward of time.</summary>
    [Id(14)] public bool GradientCheckpointing { get; init; }
    /// <summary>0 = no LoRA, all weights train.</summary>
    [Id(15)] public int LoraRank { get; init; }
    [Id(16)] public double LoraAlpha { get; init; } = 16;
    /// <summary>Comma-separated projection names, or all-linear (see <see cref="LoraOptions"/>).</summary>
    [Id(17)] public string LoraTargets { get; init; } = LoraOptions.AllLinear;
    /// <summary>Where the cosine decay ends, as a share of the peak learning rate (verl's optim.min_lr_ratio).</summary>
    [Id(18)] public double MinLrRatio { get; init; }
    /// <summary>Steps between resumable checkpoints of a search's trials; 0 = the silo's --checkpoint-every, else every 5% of the steps.</summary>
    [Id(19)] public int CheckpointEvery { get; init; }

    public static readonly TrainingRecipe Default = new();

    // What is derived from the fields is a method, not a property: every serializer (the JSON of
    // status and storage, Orleans') then carries the fields alone.

    /// <summary>The objective, parsed; a <see cref="FormatException"/> or <see cref="ArgumentException"/> says what is wrong with the spec.</summary>
    public Objective ParsedObjective() => Objectives.Objective.Parse(Objective);

    /// <summary>Examples per forward/backward: <see cref="MicroBatchSize"/>, or the whole batch.</summary>
    public int MicroBatch() => MicroBatchSize <= 0 ? BatchSize : Math.Min(MicroBatchSize, BatchSize);

    /// <summary>
    /// Steps between checkpoints: this recipe's <see cref="CheckpointEvery"/>, else the host's setting
    /// (<paramref name="hostSetting"/>, 0 = none), else every 5% of the steps, so that a lost attempt
    /// costs at most about a twentieth of its trial.
    /// </summary>
    public int CheckpointInterval(int hostSetting = 0) =>
        CheckpointEvery > 0 ? CheckpointEvery : hostSetting > 0 ? hostSetting : Math.Max(1, (Steps + 19) / 20);

    /// <summary>The weights' dtype; an <see cref="ArgumentException"/> names --dtype when it is unknown.</summary>
    public ScalarType WeightType()
    {
        try { return WeightPrecision.Parse(Dtype); }
        catch (ArgumentException e) { throw new ArgumentException($"--dtype: {e.Message}", e); }
    }

    /// <summary>The adapters to add, or null without LoRA.</summary>
    public LoraOptions? Lora() => LoraRank == 0 ? null : new LoraOptions(LoraRank, LoraAlpha, LoraOptions.ParseTargets(LoraTargets));

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the flag of the first setting out of range (the
    /// flag is the field's JSON name with dashes: --batch-size for batch_size). LoRA's alpha and
    /// targets are checked even without LoRA, so a typo never waits for the day LoRA is switched on.
    /// </summary>
    public void Validate()
    {
        try
        {
            ParsedObjective();
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--objective: {e.Message}", e);
        }
        Positive("--lr", LearningRate);
        AtLeast("--steps", Steps, 1);
        AtLeast("--batch-size", BatchSize, 1);
        AtLeast("--micro-batch-size", MicroBatchSize, 0, "0 (the whole batch) or positive");
        AtLeast("--max-length", MaxLength, 2);
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException($"--warmup must be in [0, 1), got {Text(WarmupFraction)}");
        if (!(MinLrRatio >= 0 && MinLrRatio <= 1)) throw new ArgumentException($"--min-lr-ratio must be in [0, 1], got {Text(MinLrRatio)}");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new ArgumentException($"--weight-decay must not be negative, got {Text(WeightDecay)}");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentException($"--beta1 must be in [0, 1), got {Text(Beta1)}");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"--beta2 must be in [0, 1), got {Text(Beta2)}");
        Positive("--gradient-clip", GradientClip);
        AtLeast("--chunk-tokens", ChunkTokens, 0, "0 (by the vocabulary) or positive");
        AtLeast("--checkpoint-every", CheckpointEvery, 0, "0 (the silo's setting) or positive");
        WeightType();
        AtLeast("--lora-rank", LoraRank, 0, "0 (no LoRA) or positive");
        Positive("--lora-alpha", LoraAlpha);
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
    /// Makes a freshly loaded model what this recipe trains: weights in <see cref="Dtype"/>, then
    /// (with LoRA) adapters whose A matrices are drawn from <see cref="Seed"/> and everything else
    /// frozen. Call it on the CPU, before moving the model to a GPU: the seeded generator is a CPU one.
    /// </summary>
    public void Prepare(DecoderLM model)
    {
        Validate();
        WeightPrecision.Apply(model, WeightType());
        if (Lora() is { } lora) model.EnableLora(lora, new Generator((ulong)Seed));
    }

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

    static void Positive(string flag, double value)
    {
        if (!(value > 0) || !double.IsFinite(value)) throw new ArgumentException($"{flag} must be positive, got {Text(value)}");
    }

    static void AtLeast(string flag, int value, int least, string? what = null)
    {
        if (value < least) throw new ArgumentException($"{flag} must be {what ?? $"at least {least}"}, got {value}");
    }

    static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
