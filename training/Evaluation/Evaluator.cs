using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Evaluation;

/// <summary>Validation metrics of a model on a data set.</summary>
/// <param name="Accuracy">Share of examples whose greedy answer equals the reference answer.</param>
/// <param name="MeanNll">Mean -log p over the reference response tokens (teacher forced).</param>
/// <param name="MeanP">Mean p over the same tokens.</param>
public sealed record EvaluationResult(double Accuracy, double MeanNll, double MeanP, int Examples, long Tokens);

public sealed record EvaluationOptions
{
    public AnswerFormat Format { get; init; } = new AnswerFormat.Whole();
    public int MaxLength { get; init; } = 128;
    public int BatchSize { get; init; } = 32;
    /// <summary>Tokens to generate at most; 0 = the longest reference response plus 8.</summary>
    public int MaxNewTokens { get; init; }
}

/// <summary>
/// Scores a model on validation examples: exact-match accuracy of greedy answers (decoded with the
/// KV cache) and token metrics of the reference responses.
/// </summary>
public sealed class Evaluator(DecoderLM model, ITokenizer tokenizer, EvaluationOptions? options = null)
{
    readonly EvaluationOptions options = options ?? new EvaluationOptions();

    /// <param name="decode">False skips greedy decoding (the costly part) when only the token metrics
    /// are wanted; Accuracy is then NaN.</param>
    public EvaluationResult Evaluate(IReadOnlyList<SftExample> examples, bool decode = true)
    {
        if (examples.Count == 0) throw new ArgumentException("no validation examples");
        var tokenized = examples.Select(e => TokenizedExample.From(e, tokenizer)).ToList();
        var logProbs = ResponseTokenScores.LogProbabilities(model, tokenized, options.MaxLength, tokenizer.PadId, options.BatchSize);
        var meanNll = logProbs.Length == 0 ? double.NaN : -logProbs.Average(v => (double)v);
        var meanP = logProbs.Length == 0 ? double.NaN : logProbs.Average(v => Math.Exp(v));
        var accuracy = decode ? Accuracy(examples, tokenized) : double.NaN;
        return new EvaluationResult(accuracy, meanNll, meanP, examples.Count, logProbs.Length);
    }

    /// <summary>Exact-match accuracy of greedy decoding.</summary>
    public double Accuracy(IReadOnlyList<SftExample> examples, IReadOnlyList<TokenizedExample>? tokenized = null)
    {
        tokenized ??= examples.Select(e => TokenizedExample.From(e, tokenizer)).ToList();
        var maxNew = options.MaxNewTokens > 0 ? options.MaxNewTokens : tokenized.Max(t => t.ResponseIds.Length) + 8;
        // A prompt that leaves no room to answer within the model's positions cannot be answered.
        var room = model.Config.MaxPositions;
        var prompts = tokenized.Select(t => t.PromptIds.Length < room ? t.PromptIds : t.PromptIds[..(room - 1)]).ToList();
        var outputs = GreedyDecoder.Generate(model, prompts, maxNew, tokenizer.EosId, useCache: true, batchSize: options.BatchSize);
        var correct = 0;
        for (var i = 0; i < examples.Count; i++)
        {
            var expected = options.Format.Extract(examples[i].Response);
            var actual = options.Format.Extract(tokenizer.Decode(outputs[i]));
            if (expected is not null && expected == actual) correct++;
        }
        return (double)correct / examples.Count;
    }
}
