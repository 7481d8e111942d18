using BeyondNll.Training.Model;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Model;

public class GreedyDecoderTests
{
    // Mixed lengths, more rows of one length than a batch holds: exercises grouping and chunking.
    static readonly int[][] Prompts =
    [
        [1, 2, 3], [4, 5, 6, 7, 8], [9, 10, 11], [12, 13, 14], [15], [16, 17, 18, 19, 20], [21, 22, 23],
    ];

    [Fact]
    public void Decoding_with_and_without_the_cache_gives_the_same_tokens()
    {
        using var model = Peaked(Gqa);
        var cached = GreedyDecoder.Generate(model, Prompts, maxNewTokens: 12, stopToken: null, useCache: true, batchSize: 2);
        var recomputed = GreedyDecoder.Generate(model, Prompts, maxNewTokens: 12, stopToken: null, useCache: false, batchSize: 2);
        Assert.All(cached, tokens => Assert.Equal(12, tokens.Length));
        Assert.Equal(recomputed, cached);
    }

    [Fact]
    public void Each_row_gets_what_it_would_get_decoded_alone()
    {
        using var model = Peaked(Gqa);
        var batched = GreedyDecoder.Generate(model, Prompts, maxNewTokens: 6, stopToken: null);
        for (int i = 0; i < Prompts.Length; i++)
            Assert.Equal(GreedyDecoder.Generate(model, [Prompts[i]], maxNewTokens: 6, stopToken: null)[0], batched[i]);
    }

    [Fact]
    public void A_row_stops_before_the_stop_token()
    {
        using var model = Peaked(Gqa);
        int[][] prompts = [Prompts[0], Prompts[2]];
        var free = GreedyDecoder.Generate(model, prompts, maxNewTokens: 10, stopToken: null);
        int stop = free[0][4];   // a token the first row produces
        var stopped = GreedyDecoder.Generate(model, prompts, maxNewTokens: 10, stopToken: stop);
        for (int r = 0; r < prompts.Length; r++)
        {
            var expected = free[r].TakeWhile(t => t != stop).ToArray();
            Assert.Equal(expected, stopped[r]);
        }
        Assert.True(stopped[0].Length <= 4);
    }

    [Fact]
    public void Prompt_and_continuation_never_exceed_max_positions()
    {
        using var model = Peaked(Gqa);
        var prompt = Enumerable.Range(0, Gqa.MaxPositions - 3).ToArray();
        Assert.Equal(3, GreedyDecoder.Generate(model, [prompt], maxNewTokens: 10, stopToken: null, useCache: true)[0].Length);
        Assert.Equal(3, GreedyDecoder.Generate(model, [prompt], maxNewTokens: 10, stopToken: null, useCache: false)[0].Length);
    }

    [Fact]
    public void The_models_training_mode_is_restored()
    {
        using var model = Create(Gqa);
        model.train();
        GreedyDecoder.Generate(model, [Prompts[0]], maxNewTokens: 2, stopToken: null);
        Assert.True(model.training);
        model.eval();
        GreedyDecoder.Generate(model, [Prompts[0]], maxNewTokens: 2, stopToken: null);
        Assert.False(model.training);
    }

    [Fact]
    public void Bad_prompts_are_refused()
    {
        using var model = Create(Gqa);
        Assert.Throws<ArgumentException>(() => GreedyDecoder.Generate(model, [[]], 2, null));
        Assert.Throws<ArgumentException>(() => GreedyDecoder.Generate(model, [[Gqa.VocabSize]], 2, null));
    }
}
