using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Objectives;

/// <summary>What one forward (and backward) of an objective over a batch measured.</summary>
/// <param name="Loss">The batch loss sum(f · mask) / (sum(mask) + 1e-8), before any micro-batch scaling.</param>
/// <param name="ResponseTokens">Tokens under the response mask.</param>
/// <param name="IncludedTokens">Of those, the tokens a thresholded objective's indicator keeps (all for NLL and power).</param>
/// <param name="SumP">Sum of the label probability p over the response tokens (for mean p).</param>
/// <param name="Seconds">Wall time of the head and the objective, forward and backward down to the final
/// hidden states; the model's own backward, which follows, is not in it.</param>
public readonly record struct LossStats(double Loss, long ResponseTokens, long IncludedTokens, double SumP, double Seconds = 0);

/// <summary>
/// Applies an <see cref="Objective"/> to tensors, exactly as the paper's trainer does: per response
/// token f(p) with p = exp(log_softmax(logits)[label]) in float32, a thresholded variant's
/// indicator used as a mask (not differentiated), and the batch loss
/// sum(f · mask) / (sum(mask) + 1e-8), the mask being the response mask times the indicator.
/// </summary>
/// <remarks>
/// <see cref="ForwardBackward"/> is the training path. It computes the head's logits only for
/// response tokens, and in chunks of tokens, running each chunk's backward before the next chunk's
/// forward, so that at most one [chunk × vocab] float32 buffer is alive: a 150k vocabulary fits.
/// </remarks>
public sealed class ObjectiveLoss(Objective objective)
{
    /// <summary>Tokens per chunk of the head and loss; enough for small vocabularies to be one chunk.</summary>
    public const int DefaultChunkTokens = 8192;

    // Logits per chunk at most: 2^26 float32 values, 256 MB, whatever the vocabulary.
    const int MaxChunkLogits = 1 << 26;

    /// <summary>
    /// Tokens per chunk for a vocabulary: <see cref="DefaultChunkTokens"/>, fewer where a chunk's
    /// [tokens × vocab] float32 logits would pass 256 MB (441 tokens for Qwen2.5's 151,936).
    /// </summary>
    public static int ChunkTokensFor(int vocabSize) => Math.Clamp(MaxChunkLogits / Math.Max(vocabSize, 1), 1, DefaultChunkTokens);

    const double Epsilon = 1e-8;

    // For power:k with k < 0, p^k = exp(k log p) overflows float32 once k log p passes ~88. The
    // exponent is capped at 80 so that values and gradients stay finite: a token past the cap
    // (p < e^(-80/|k|)) adds the capped value and no gradient; its true value is astronomical anyway.
    const double MaxPowerExponent = 80;

    public Objective Objective { get; } = objective;

    /// <summary>log p of each label under float32 log-softmax: never log(0), whatever the model's dtype.</summary>
    public static Tensor LabelLogProbs(Tensor logits, Tensor labels) =>
        nn.functional.log_softmax(logits.to_type(ScalarType.Float32), -1)
            .gather(-1, labels.unsqueeze(-1)).squeeze(-1);

    /// <summary>
    /// Per-token values f(p) (float32, differentiable through <paramref name="labelLogProbs"/>) and the
    /// weights that enter the sum: the response mask times the indicator, with no gradient.
    /// </summary>
    public (Tensor Values, Tensor Weights) Terms(Tensor labelLogProbs, Tensor responseMask)
    {
        var o = Objective;
        var weights = responseMask.to_type(ScalarType.Float32);
        if (o.IsThresholded)
        {
            using var noGrad = no_grad();
            var p = labelLogProbs.detach().exp();
            var keep = o.Family is ObjectiveFamily.TopP or ObjectiveFamily.TopLogP ? p.ge(o.Parameter) : p.le(o.Parameter);
            weights = weights * keep.to_type(ScalarType.Float32);
        }

        Tensor values = o.Family switch
        {
            ObjectiveFamily.Nll or ObjectiveFamily.TopLogP or ObjectiveFamily.BottomLogP => labelLogProbs.neg(),
            ObjectiveFamily.Power => PowerValues(labelLogProbs, o.Parameter),
            _ => 1.0 - labelLogProbs.exp(),
        };
        return (values, weights);
    }

    /// <summary>(1 - p^k)/k as -expm1(k log p)/k in float64: exact near k = 0, capped for k &lt; 0.</summary>
    static Tensor PowerValues(Tensor labelLogProbs, double k)
    {
        var exponent = labelLogProbs.to_type(ScalarType.Float64) * k;
        if (k < 0) exponent = exponent.clamp_max(MaxPowerExponent);
        return (exponent.expm1() / -k).to_type(ScalarType.Float32);
    }

    /// <summary>The batch loss from full logits [.., vocab]; the plain reference path, used by evaluation and tests.</summary>
    public Tensor BatchLoss(Tensor logits, Tensor labels, Tensor responseMask)
    {
        var (values, weights) = Terms(LabelLogProbs(logits, labels), responseMask);
        return (values * weights).sum() / (weights.sum() + Epsilon);
    }

    /// <summary>
    /// Forward and backward of the loss from the model's final hidden states, in chunks of tokens.
    /// Gradients reach <paramref name="hidden"/>'s graph and the head's parameters, scaled by
    /// <paramref name="gradientScale"/> (1 / number of micro-batches under gradient accumulation).
    /// </summary>
    /// <param name="hidden">[B, T, H] final hidden states, attached to the model's graph.</param>
    /// <param name="head">The language-model head: [N, H] → [N, vocab] logits.</param>
    /// <param name="labels">[B, T] int64 next-token labels.</param>
    /// <param name="responseMask">[B, T] 1 for response tokens, 0 for prompt and padding.</param>
    public LossStats ForwardBackward(Tensor hidden, Func<Tensor, Tensor> head, Tensor labels, Tensor responseMask,
        double gradientScale = 1.0, int chunkTokens = DefaultChunkTokens)
    {
        if (chunkTokens <= 0) throw new ArgumentOutOfRangeException(nameof(chunkTokens), "must be positive");
        using var scope = NewDisposeScope();
        var watch = Stopwatch.StartNew();

        // Only response tokens carry loss: the head never runs on prompt or padding positions.
        var width = hidden.shape[^1];
        var rows = responseMask.reshape(-1).nonzero().squeeze(1);
        var n = (int)rows.shape[0];
        if (n == 0) return new LossStats(0, 0, 0, 0);
        var selected = hidden.reshape(-1, width).index_select(0, rows);
        var targets = labels.reshape(-1).index_select(0, rows);
        var allOnes = torch.ones(n, dtype: ScalarType.Float32, device: hidden.device);

        // Each chunk's graph starts at this leaf, so its [chunk × vocab] buffers are freed by its
        // own backward; the leaf's gradient is then sent through the model in one backward.
        var leaf = selected.detach().requires_grad_(true);
        var chunks = Enumerable.Range(0, (n + chunkTokens - 1) / chunkTokens)
            .Select(c => (Start: c * chunkTokens, Length: Math.Min(chunkTokens, n - c * chunkTokens))).ToList();

        // The normaliser sum(mask) must be known before the first chunk's backward. For a
        // thresholded objective it depends on p, so several chunks need a counting pass first.
        double? denominator = Objective.IsThresholded ? null : n;
        if (denominator is null && chunks.Count > 1)
            denominator = CountIncluded(leaf, head, targets, chunks);

        double sumLoss = 0, sumP = 0, included = 0;
        foreach (var (start, length) in chunks)
        {
            using var chunkScope = NewDisposeScope();
            var logProbs = ChunkLogProbs(leaf, head, targets, start, length);
            var (values, weights) = Terms(logProbs, allOnes.narrow(0, start, length));
            var chunkIncluded = weights.sum().item<float>();
            denominator ??= chunkIncluded;
            var chunkSum = (values * weights).sum();
            (chunkSum * (gradientScale / (denominator.Value + Epsilon))).backward();
            sumLoss += chunkSum.item<float>();
            included += chunkIncluded;
            using (no_grad()) sumP += logProbs.detach().exp().sum().item<float>();
        }

        var seconds = watch.Elapsed.TotalSeconds;
        hidden.reshape(-1, width).index_select(0, rows).backward([leaf.grad!]);
        return new LossStats(sumLoss / (included + Epsilon), n, (long)included, sumP, seconds);
    }

    double CountIncluded(Tensor leaf, Func<Tensor, Tensor> head, Tensor targets, List<(int Start, int Length)> chunks)
    {
        using var noGrad = no_grad();
        double count = 0;
        foreach (var (start, length) in chunks)
        {
            using var chunkScope = NewDisposeScope();
            var (_, weights) = Terms(ChunkLogProbs(leaf, head, targets, start, length),
                torch.ones(length, dtype: ScalarType.Float32, device: leaf.device));
            count += weights.sum().item<float>();
        }
        return count;
    }

    static Tensor ChunkLogProbs(Tensor hidden, Func<Tensor, Tensor> head, Tensor targets, int start, int length) =>
        LabelLogProbs(head(hidden.narrow(0, start, length)), targets.narrow(0, start, length));
}
