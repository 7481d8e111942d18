using BeyondNll.Training.Objectives;

namespace BeyondNll.Training.Trainer;

/// <summary>
/// How one supervised fine-tuning run trains. Defaults follow the paper's trainer: AdamW with
/// betas (0.9, 0.95) and weight decay 0.01, 10% linear warm-up then cosine decay, gradient
/// clipping at 1.0.
/// </summary>
public sealed record TrainingOptions
{
    public required Objective Objective { get; init; }
    public int Steps { get; init; } = 100;
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Examples per forward/backward; gradients of the micro-batches of a step are accumulated. 0 = the whole batch.</summary>
    public int MicroBatchSize { get; init; }
    public double WarmupFraction { get; init; } = 0.1;
    public double WeightDecay { get; init; } = 0.01;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double GradientClip { get; init; } = 1.0;
    /// <summary>Input tokens per example; longer examples are cut on the right.</summary>
    public int MaxLength { get; init; } = 128;
    /// <summary>Seeds the order of examples (the model's initialisation is seeded where it is made).</summary>
    public int Seed { get; init; }
    /// <summary>Tokens per chunk of the head and loss (see <see cref="ObjectiveLoss"/>); 0 = by the
    /// vocabulary (<see cref="ObjectiveLoss.ChunkTokensFor"/>).</summary>
    public int ChunkTokens { get; init; }
    /// <summary>Recompute each layer's activations in the backward pass instead of keeping them
    /// (see <see cref="Model.DecoderLM.CheckpointedForwardBackward{T}"/>): less memory, about one more forward of time.</summary>
    public bool GradientCheckpointing { get; init; }

    public int EffectiveMicroBatchSize => MicroBatchSize <= 0 ? BatchSize : Math.Min(MicroBatchSize, BatchSize);

    /// <summary>Throws ArgumentException naming the first setting out of range.</summary>
    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentException($"steps must be positive, got {Steps}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        if (BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {BatchSize}");
        if (MicroBatchSize < 0) throw new ArgumentException($"micro-batch size must be 0 (whole batch) or positive, got {MicroBatchSize}");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException($"warm-up fraction must be in [0, 1), got {WarmupFraction}");
        if (WeightDecay < 0) throw new ArgumentException($"weight decay must not be negative, got {WeightDecay}");
        if (!(GradientClip > 0)) throw new ArgumentException($"gradient clip must be positive, got {GradientClip}");
        if (MaxLength < 2) throw new ArgumentException($"max length must be at least 2, got {MaxLength}");
        if (ChunkTokens < 0) throw new ArgumentException($"chunk tokens must be 0 (by the vocabulary) or positive, got {ChunkTokens}");
    }
}
