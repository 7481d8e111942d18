using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// Greedy (argmax) continuation of token prompts.
/// <para>
/// Prompts of equal length are batched together, up to <c>batchSize</c> rows. Rows of one batch
/// then share their positions, so no padding, no attention mask and no per-row position ids are
/// needed, and each row's tokens are those it would get decoded alone. Rows that have stopped keep
/// being computed until the whole batch stops; their extra tokens are discarded.
/// </para>
/// </summary>
public static class GreedyDecoder
{
    /// <summary>
    /// For each prompt (non-empty token ids), its greedy continuation: at most
    /// <paramref name="maxNewTokens"/> tokens, ending before <paramref name="stopToken"/> (which is
    /// not included), and never so many that prompt + continuation exceeds the model's
    /// MaxPositions. Runs under no_grad in eval mode and restores the model's mode afterwards.
    /// With <paramref name="useCache"/> false every step recomputes the whole sequence (the
    /// baseline that a KV cache is measured against).
    /// </summary>
    public static IReadOnlyList<int[]> Generate(DecoderLM model, IReadOnlyList<int[]> prompts, int maxNewTokens,
        int? stopToken, bool useCache = true, int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxNewTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        for (int i = 0; i < prompts.Count; i++) CheckPrompt(model.Config, prompts[i], i);

        var results = new int[prompts.Count][];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var byLength = Enumerable.Range(0, prompts.Count).GroupBy(i => prompts[i].Length);
            foreach (var rows in byLength.SelectMany(group => group.Chunk(batchSize)))
            {
                var continuations = GenerateBatch(model, rows.Select(i => prompts[i]).ToArray(), maxNewTokens, stopToken, useCache);
                for (int r = 0; r < rows.Length; r++) results[rows[r]] = continuations[r];
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return results;
    }

    static void CheckPrompt(DecoderConfig config, int[] prompt, int index)
    {
        if (prompt.Length == 0)
            throw new ArgumentException($"Prompt {index} is empty.", "prompts");
        if (prompt.Length > config.MaxPositions)
            throw new ArgumentException($"Prompt {index} has {prompt.Length} tokens, more than MaxPositions {config.MaxPositions}.", "prompts");
        foreach (int token in prompt)
            if (token < 0 || token >= config.VocabSize)
                throw new ArgumentException($"Prompt {index} has token {token} outside the vocabulary 0..{config.VocabSize - 1}.", "prompts");
    }

    /// <summary>Continuations of prompts that all have the same length.</summary>
    static int[][] GenerateBatch(DecoderLM model, int[][] prompts, int maxNewTokens, int? stopToken, bool useCache)
    {
        int rows = prompts.Length, promptLength = prompts[0].Length;
        int steps = Math.Min(maxNewTokens, model.Config.MaxPositions - promptLength);
        var continuations = Enumerable.Range(0, rows).Select(_ => new List<int>(steps)).ToArray();
        var stopped = new bool[rows];
        if (steps == 0) return continuations.Select(c => c.ToArray()).ToArray();

        using var batchScope = NewDisposeScope();
        using var cache = useCache ? model.NewCache(rows, promptLength + steps) : null;
        // With a cache we feed only what the model has not seen (the prompt, then one token per
        // step); without one, the whole sequence so far.
        var feed = tensor(prompts.SelectMany(p => p).Select(t => (long)t).ToArray(), [rows, promptLength]);
        for (int step = 0; step < steps; step++)
        {
            Tensor next;
            using (NewDisposeScope())
            {
                var hidden = model.Hidden(feed, cache);
                var last = hidden.narrow(1, hidden.shape[1] - 1, 1);              // [rows, 1, hidden]
                next = model.Head(last).argmax(-1).MoveToOuterDisposeScope();     // [rows, 1]
            }

            long[] tokens = next.data<long>().ToArray();
            for (int r = 0; r < rows; r++)
            {
                if (stopped[r]) continue;
                if (tokens[r] == stopToken) stopped[r] = true;
                else continuations[r].Add((int)tokens[r]);
            }
            if (stopped.All(s => s)) break;

            var previous = feed;
            feed = useCache ? next : cat([feed, next], 1);
            previous.Dispose();
        }
        return continuations.Select(c => c.ToArray()).ToArray();
    }
}
