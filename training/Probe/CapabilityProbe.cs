using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Model;
using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Probe;

/// <summary>
/// Where a backbone sits on the model-capability continuum for a data set, measured before any
/// training: the probability p the base model gives each response token of the data.
/// </summary>
public enum CapabilityRegion
{
    /// <summary>The prior knows little of the task (mean p &lt; 0.3): NLL is expected to win.</summary>
    ModelWeak,
    /// <summary>Neither end (0.3 ≤ mean p &lt; 0.6): no objective is expected to prevail.</summary>
    ModelIntermediate,
    /// <summary>The prior already knows the task (mean p ≥ 0.6): prior-leaning objectives are expected to win.</summary>
    ModelStrong,
}

/// <summary>Statistics of p over the response tokens of a data set under a base model.</summary>
public sealed record ProbeResult(double MeanP, double MedianP, double Q1P, double Q3P, double ShareAboveHalf,
    long Tokens, CapabilityRegion Region)
{
    /// <summary>The region's name in reports and JSON: model-weak, model-intermediate, model-strong.</summary>
    public string RegionName => Region switch
    {
        CapabilityRegion.ModelWeak => "model-weak",
        CapabilityRegion.ModelIntermediate => "model-intermediate",
        _ => "model-strong",
    };
}

/// <summary>
/// Measures p of every response token (teacher forced, no training) and places the backbone on the
/// continuum by mean p. The cut-offs 0.3 and 0.6 are this project's reading of the paper, where
/// the model-strong settings (e.g. a math-tuned backbone on math) have a mean prior probability well
/// above one half and the model-weak ones (puzzles the backbone has never seen) near zero.
/// </summary>
public static class CapabilityProbe
{
    public const double WeakBelow = 0.3;
    public const double StrongFrom = 0.6;

    public static CapabilityRegion RegionOf(double meanP) =>
        meanP < WeakBelow ? CapabilityRegion.ModelWeak
        : meanP < StrongFrom ? CapabilityRegion.ModelIntermediate
        : CapabilityRegion.ModelStrong;

    public static ProbeResult Measure(DecoderLM model, ITokenizer tokenizer, IReadOnlyList<SftExample> examples,
        int maxLength = 128, int batchSize = 32)
    {
        if (examples.Count == 0) throw new ArgumentException("no examples to probe");
        var tokenized = examples.Select(e => TokenizedExample.From(e, tokenizer)).ToList();
        var logProbs = ResponseTokenScores.LogProbabilities(model, tokenized, maxLength, tokenizer.PadId, batchSize);
        if (logProbs.Length == 0) throw new ArgumentException($"no response tokens within {maxLength} tokens to probe");
        return Summarise(logProbs.Select(v => Math.Exp(v)).ToArray());
    }

    /// <summary>The statistics of a set of token probabilities.</summary>
    public static ProbeResult Summarise(double[] ps)
    {
        var sorted = ps.Order().ToArray();
        var mean = sorted.Average();
        return new ProbeResult(mean, Quantile(sorted, 0.5), Quantile(sorted, 0.25), Quantile(sorted, 0.75),
            (double)sorted.Count(p => p > 0.5) / sorted.Length, sorted.Length, RegionOf(mean));
    }

    /// <summary>Linear interpolation between order statistics (numpy's default).</summary>
    static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
