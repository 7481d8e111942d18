using BeyondNll.Training.Data;

namespace BeyondNll.Training.Synthetic;

/// <summary>A synthetic task's three data sets: training (with its noise), validation and held-out test (both clean).</summary>
public sealed record SyntheticSplits(IReadOnlyList<SftExample> Train, IReadOnlyList<SftExample> Val, IReadOnlyList<SftExample> Test);

/// <summary>Draws a train, a validation and a held-out test set from a synthetic task.</summary>
public static class SyntheticData
{
    /// <summary>How many draws in a row may repeat a taken prompt before the task counts as exhausted.</summary>
    const int MaxRepeatedDraws = 10_000;

    /// <summary>
    /// Draws <paramref name="valCount"/> validation examples with distinct prompts, then
    /// <paramref name="n"/> training examples whose prompts are not among them, so validation
    /// measures generalisation rather than recall. Training prompts may repeat among
    /// themselves. A share <paramref name="noise"/> of the training response characters is
    /// corrupted (noisy supervision, the setting where objectives differ most); validation stays
    /// clean.
    /// </summary>
    /// <remarks>
    /// The noise has a random stream of its own, so the same seed gives the same examples at
    /// every noise level and runs that differ only in noise compare like for like.
    /// </remarks>
    public static (IReadOnlyList<SftExample> Train, IReadOnlyList<SftExample> Val) Generate(
        ISyntheticTask task, int n, double noise, int seed, int valCount)
    {
        var splits = Generate(task, n, noise, seed, valCount, testCount: 0);
        return (splits.Train, splits.Val);
    }

    /// <summary>
    /// The same training and validation sets as <see cref="Generate(ISyntheticTask, int, double, int, int)"/>
    /// with the same seed, and then <paramref name="testCount"/> held-out test examples with distinct
    /// prompts that are neither validation nor training prompts: scored once at the end, they say how
    /// a configuration chosen on validation does on data that played no part in choosing it. Clean, as
    /// validation is.
    /// </summary>
    public static SyntheticSplits Generate(ISyntheticTask task, int n, double noise, int seed, int valCount, int testCount)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (n < 1)
            throw new ArgumentOutOfRangeException(nameof(n), $"the number of training examples must be at least 1, not {n}");
        if (!(noise >= 0 && noise <= 1))
            throw new ArgumentOutOfRangeException(nameof(noise), $"noise must be a share between 0 and 1, not {noise}");
        if (valCount < 0)
            throw new ArgumentOutOfRangeException(nameof(valCount), $"the number of validation examples must be 0 or more, not {valCount}");
        if (testCount < 0)
            throw new ArgumentOutOfRangeException(nameof(testCount), $"the number of test examples must be 0 or more, not {testCount}");

        var sampling = new Random(seed);
        var corrupting = new Random(~seed);
        var valPrompts = new HashSet<string>();
        var val = Draw(task, sampling, valCount, example => valPrompts.Add(example.Prompt), "validation");
        var train = Draw(task, sampling, n, example => !valPrompts.Contains(example.Prompt), "training");
        // Drawn last, from the same stream, so training and validation are those of a seed without a test set.
        var taken = new HashSet<string>(valPrompts.Concat(train.Select(e => e.Prompt)));
        var test = Draw(task, sampling, testCount, example => taken.Add(example.Prompt), "test");
        return new SyntheticSplits(train.Select(e => Corrupt(e, task.ResponseAlphabet, noise, corrupting)).ToList(), val, test);
    }

    static List<SftExample> Draw(ISyntheticTask task, Random rng, int count, Func<SftExample, bool> accept, string set)
    {
        var examples = new List<SftExample>(count);
        int repeated = 0;
        while (examples.Count < count)
        {
            var example = task.Sample(rng);
            if (accept(example))
            {
                examples.Add(example);
                repeated = 0;
            }
            else if (++repeated == MaxRepeatedDraws)
            {
                throw new ArgumentException(
                    $"task '{task.Name}' ran out of fresh prompts after {examples.Count} of {count} {set} examples; " +
                    "ask for fewer examples or a task with more distinct prompts");
            }
        }
        return examples;
    }

    /// <summary>Replaces each response character, with probability <paramref name="noise"/>, by a different one.</summary>
    static SftExample Corrupt(SftExample example, string alphabet, double noise, Random rng)
    {
        if (noise == 0)
            return example;
        var response = example.Response.ToCharArray();
        for (int i = 0; i < response.Length; i++)
        {
            if (rng.NextDouble() >= noise)
                continue;
            var others = alphabet.Replace(response[i].ToString(), "");
            response[i] = others[rng.Next(others.Length)];
        }
        return example with { Response = new string(response) };
    }
}
