using System.Security.Cryptography;
using System.Text;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Tests.Synthetic;

public sealed class SyntheticDataTests
{
    static readonly ISyntheticTask Addition = SyntheticTasks.Get("addition");
    static readonly ISyntheticTask Cipher = SyntheticTasks.Get("cipher");

    [Fact]
    public void Gives_the_requested_counts_and_the_same_data_for_the_same_seed()
    {
        var first = SyntheticData.Generate(Addition, n: 300, noise: 0.2, seed: 4, valCount: 40);
        var again = SyntheticData.Generate(Addition, n: 300, noise: 0.2, seed: 4, valCount: 40);
        var other = SyntheticData.Generate(Addition, n: 300, noise: 0.2, seed: 5, valCount: 40);

        Assert.Equal((300, 40), (first.Train.Count, first.Val.Count));
        Assert.Equal(first.Train, again.Train);
        Assert.Equal(first.Val, again.Val);
        Assert.NotEqual(first.Train, other.Train);
    }

    [Fact]
    public void Validation_prompts_are_distinct_and_never_in_training()
    {
        // One-digit addition has only 100 prompts, so collisions are certain without dedupe.
        var task = new AdditionTask(1, 1);

        var (train, val) = SyntheticData.Generate(task, n: 500, noise: 0, seed: 0, valCount: 30);

        Assert.Equal(30, val.Select(e => e.Prompt).Distinct().Count());
        Assert.Empty(train.Select(e => e.Prompt).Intersect(val.Select(e => e.Prompt)));
    }

    [Fact]
    public void The_measured_noise_is_close_to_the_requested_share_and_validation_stays_clean()
    {
        const double noise = 0.3;
        var clean = SyntheticData.Generate(Addition, n: 4000, noise: 0, seed: 9, valCount: 100);
        var noisy = SyntheticData.Generate(Addition, n: 4000, noise: noise, seed: 9, valCount: 100);

        // Same seed, same examples: noise only touches the training responses.
        Assert.Equal(clean.Train.Select(e => e.Prompt), noisy.Train.Select(e => e.Prompt));
        Assert.Equal(clean.Val, noisy.Val);
        Assert.All(noisy.Val, e => Assert.Equal(Answer(e.Prompt), e.Response));
        Assert.All(clean.Train, e => Assert.Equal(Answer(e.Prompt), e.Response));

        var pairs = clean.Train.Zip(noisy.Train).ToList();
        Assert.All(pairs, p => Assert.Equal(p.First.Response.Length, p.Second.Response.Length));
        Assert.All(noisy.Train, e => Assert.All(e.Response, c => Assert.Contains(c, Addition.ResponseAlphabet)));
        int characters = pairs.Sum(p => p.First.Response.Length);
        int corrupted = pairs.Sum(p => p.First.Response.Zip(p.Second.Response).Count(c => c.First != c.Second));
        // About 12,000 characters: the standard error of the share is 0.004, so 0.02 is five of them.
        Assert.InRange((double)corrupted / characters, noise - 0.02, noise + 0.02);
    }

    [Fact]
    public void Full_noise_changes_every_training_character()
    {
        var clean = SyntheticData.Generate(Addition, n: 200, noise: 0, seed: 2, valCount: 10);
        var noisy = SyntheticData.Generate(Addition, n: 200, noise: 1, seed: 2, valCount: 10);

        Assert.All(clean.Train.Zip(noisy.Train),
            p => Assert.All(p.First.Response.Zip(p.Second.Response), c => Assert.NotEqual(c.First, c.Second)));
    }

    [Theory]
    [InlineData(0, 0.1, 10, "n")]
    [InlineData(10, -0.1, 10, "noise")]
    [InlineData(10, 1.5, 10, "noise")]
    [InlineData(10, double.NaN, 10, "noise")]
    [InlineData(10, 0.1, -1, "valCount")]
    public void Out_of_range_arguments_are_named(int n, double noise, int valCount, string argument)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SyntheticData.Generate(Addition, n, noise, seed: 0, valCount));

        Assert.Equal(argument, error.ParamName);
    }

    [Fact]
    public void Asking_for_more_distinct_validation_prompts_than_exist_fails_instead_of_looping()
    {
        var error = Assert.Throws<ArgumentException>(
            () => SyntheticData.Generate(new AdditionTask(1, 1), n: 10, noise: 0, seed: 0, valCount: 101));

        Assert.Contains("ran out of fresh prompts after 100 of 101 validation examples", error.Message);
    }

    /// <summary>
    /// Fingerprints of data sets as the generator wrote them before the variation setting existed:
    /// studies stored against files of a seed are reproduced bit for bit.
    /// </summary>
    [Theory]
    [InlineData("cipher", "c63617285fd3b2d1")]
    [InlineData("addition", "5ed21d397029f15d")]
    public void A_seed_gives_the_data_it_always_gave(string taskName, string fingerprint)
    {
        var splits = SyntheticData.Generate(SyntheticTasks.Get(taskName), n: 300, noise: 0.1, seed: 7, valCount: 40, testCount: 30);

        Assert.Equal(fingerprint, Fingerprint(splits));
        var withoutVariation = SyntheticData.Generate(SyntheticTasks.Get(taskName), n: 300, noise: 0.1, seed: 7, valCount: 40, testCount: 30, variation: 0);
        Assert.Equal(fingerprint, Fingerprint(withoutVariation));
    }

    [Fact]
    public void About_the_requested_share_of_training_responses_is_varied_and_the_scorer_ignores_every_variation()
    {
        const double variation = 0.3;
        var clean = SyntheticData.Generate(Addition, n: 2000, noise: 0, seed: 11, valCount: 100, testCount: 100);
        var varied = SyntheticData.Generate(Addition, n: 2000, noise: 0, seed: 11, valCount: 100, testCount: 100, variation);

        Assert.Equal(clean.Train.Select(e => e.Prompt), varied.Train.Select(e => e.Prompt));
        var changed = clean.Train.Zip(varied.Train).Where(p => p.First != p.Second).ToList();
        // n = 2000: the standard error of the share is 0.010, so 0.05 is five of them.
        Assert.InRange((double)changed.Count / clean.Train.Count, variation - 0.05, variation + 0.05);
        var scorer = new AnswerFormat.Whole();
        var tokenizer = new ByteTokenizer();
        Assert.All(changed, p =>
        {
            Assert.Equal(p.First.Response, p.Second.Response.Trim());
            Assert.Equal(scorer.Extract(p.First.Response), scorer.Extract(p.Second.Response));
            // The variation is in what the model is trained on: tokens of its own.
            Assert.True(tokenizer.Encode(p.Second.Response).Length > tokenizer.Encode(p.First.Response).Length);
        });
        // Every variant occurs (about 120 of each), and nothing else does.
        var seen = changed.Select(p => Wrapping(p.Second.Response, p.First.Response)).Distinct().Order().ToList();
        Assert.Equal(SyntheticData.Variants.Order(), seen);
        Assert.Equal(clean.Val, varied.Val);
        Assert.Equal(clean.Test, varied.Test);
    }

    [Fact]
    public void Full_variation_varies_every_training_response_and_never_a_validation_or_test_one()
    {
        var clean = SyntheticData.Generate(Addition, n: 300, noise: 0, seed: 2, valCount: 50, testCount: 50);
        var varied = SyntheticData.Generate(Addition, n: 300, noise: 0, seed: 2, valCount: 50, testCount: 50, variation: 1);

        Assert.All(clean.Train.Zip(varied.Train), p => Assert.NotEqual(p.First.Response, p.Second.Response));
        Assert.All(varied.Val.Concat(varied.Test), e => Assert.Equal(Answer(e.Prompt), e.Response));
    }

    [Fact]
    public void Variation_leaves_the_drawn_examples_and_the_noise_as_they_are()
    {
        var noisy = SyntheticData.Generate(Cipher, n: 1000, noise: 0.2, seed: 3, valCount: 50, testCount: 50);
        var both = SyntheticData.Generate(Cipher, n: 1000, noise: 0.2, seed: 3, valCount: 50, testCount: 50, variation: 0.5);

        Assert.Equal(noisy.Train.Select(e => e.Prompt), both.Train.Select(e => e.Prompt));
        // The same corrupted characters, with whitespace around some of them.
        Assert.Equal(noisy.Train.Select(e => e.Response), both.Train.Select(e => e.Response.Trim()));
        Assert.Contains(noisy.Train.Zip(both.Train), p => p.First != p.Second);
        Assert.Equal(noisy.Val, both.Val);
        Assert.Equal(noisy.Test, both.Test);
    }

    [Fact]
    public void Examples_varied_at_one_level_are_varied_the_same_way_at_a_higher_level()
    {
        var clean = SyntheticData.Generate(Cipher, n: 500, noise: 0.1, seed: 8, valCount: 50, testCount: 50);
        var low = SyntheticData.Generate(Cipher, n: 500, noise: 0.1, seed: 8, valCount: 50, testCount: 50, variation: 0.2);
        var high = SyntheticData.Generate(Cipher, n: 500, noise: 0.1, seed: 8, valCount: 50, testCount: 50, variation: 0.6);

        var variedLow = Enumerable.Range(0, 500).Where(i => low.Train[i] != clean.Train[i]).ToList();
        var variedHigh = Enumerable.Range(0, 500).Where(i => high.Train[i] != clean.Train[i]).ToList();
        Assert.All(variedLow, i => Assert.Equal(low.Train[i], high.Train[i]));
        Assert.Subset(variedHigh.ToHashSet(), variedLow.ToHashSet());
        Assert.True(variedHigh.Count > variedLow.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_varied_data()
    {
        var first = SyntheticData.Generate(Cipher, n: 300, noise: 0.1, seed: 4, valCount: 40, testCount: 40, variation: 0.4);
        var again = SyntheticData.Generate(Cipher, n: 300, noise: 0.1, seed: 4, valCount: 40, testCount: 40, variation: 0.4);
        var other = SyntheticData.Generate(Cipher, n: 300, noise: 0.1, seed: 5, valCount: 40, testCount: 40, variation: 0.4);

        Assert.Equal(Fingerprint(first), Fingerprint(again));
        Assert.NotEqual(Fingerprint(first), Fingerprint(other));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void An_out_of_range_variation_is_named(double variation)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SyntheticData.Generate(Addition, n: 10, noise: 0, seed: 0, valCount: 10, testCount: 10, variation));

        Assert.Equal("variation", error.ParamName);
        Assert.StartsWith("variation must be a share between 0 and 1", error.Message);
    }

    /// <summary>What a varied response adds before and after the response it wraps.</summary>
    static (string Before, string After) Wrapping(string varied, string response)
    {
        var at = varied.IndexOf(response, StringComparison.Ordinal);
        return (varied[..at], varied[(at + response.Length)..]);
    }

    static string Fingerprint(SyntheticSplits splits)
    {
        var lines = new[] { splits.Train, splits.Val, splits.Test }
            .SelectMany((set, i) => set.Select(e => $"{i}\t{e.Prompt}\t{e.Response}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))))[..16];
    }

    static string Answer(string prompt) =>
        prompt.TrimEnd('=').Split('+').Sum(int.Parse).ToString();
}
