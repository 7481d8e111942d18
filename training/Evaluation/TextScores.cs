using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Tokenization;
using static TorchSharp.torch;

namespace BeyondNll.Training.Evaluation;

/// <summary>One token of a scored text: its id, its text, and log p of it given the tokens before it (null for the first, which has no context).</summary>
public sealed record TokenScore(int Id, string Token, double? LogProb);

/// <summary>
/// The tokens of a text with the log probability the model gives each one after the ones before
/// it (float32 log-softmax, as the objectives use): for users, and for checking this
/// implementation against another token by token.
/// </summary>
public static class TextScores
{
    // Tokens whose logits are computed at once: with a 150k vocabulary a whole text's
    // [tokens × vocab] float32 logits would be the largest buffer by far.
    const int ChunkTokens = 256;

    public static IReadOnlyList<TokenScore> Score(DecoderLM model, ITokenizer tokenizer, string text)
    {
        if (string.IsNullOrEmpty(text)) throw new ArgumentException("the text to score is empty");
        var ids = tokenizer.Encode(text);
        if (ids.Length == 0) throw new ArgumentException("the text encodes to no tokens");
        if (ids.Length > model.Config.MaxPositions)
            throw new ArgumentException($"the text is {ids.Length} tokens long; the model takes at most {model.Config.MaxPositions}");

        var logProbs = new float[ids.Length - 1];
        var device = model.parameters().First().device;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], device: device);
            var hidden = model.Hidden(input)[0];                                    // [T, H]
            var labels = input[0].narrow(0, 1, ids.Length - 1);                    // token t+1 follows hidden t
            for (int start = 0; start < logProbs.Length; start += ChunkTokens)
            {
                using var chunkScope = NewDisposeScope();
                int length = Math.Min(ChunkTokens, logProbs.Length - start);
                var chunk = ObjectiveLoss.LabelLogProbs(model.Head(hidden.narrow(0, start, length)), labels.narrow(0, start, length));
                chunk.cpu().data<float>().CopyTo(logProbs, start);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return ids.Select((id, i) => new TokenScore(id, tokenizer.Decode([id]), i == 0 ? null : logProbs[i - 1])).ToList();
    }
}
