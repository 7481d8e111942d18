using System.Security.Cryptography;
using System.Text;
using BeyondNll.Training.Data;
using BeyondNll.Training.Synthetic;

namespace BeyondNll.Training.Tests.Synthetic;

public sealed class SyntheticDataTests
{
    static readonly ISyntheticTask Addition = SyntheticTasks.Get("addition");

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
