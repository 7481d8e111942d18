using BeyondNll.Training.Data;

namespace BeyondNll.Training.Synthetic;

/// <summary>A synthetic task's three data sets: training (with its noise and formatting variation), validation and held-out test (both clean).</summary>
public sealed record SyntheticSplits(IReadOnlyList<SftExample> Train, IReadOnlyList<SftExample> Val, IReadOnlyList<SftExample> Test);

/// <summary>Draws a train, a validation and a held-out test set from a synthetic task.</summary>
public static class SyntheticData
{
    /// <summary>How many draws in a row may repeat a taken prompt before the task counts as exhausted.</summary>
    const int MaxRepeatedDraws = 10_000;

    /// <summary>
    /// Seeds the variation's stream as <c>seed ^ salt</c>: any salt but 0 and -1 keeps it apart from the
    /// sampling stream (<c>seed</c>) and the noise's (<c>~seed</c>).
    /// </summary>
    const int VaryingStreamSalt = 0x2545F491;

    /// <summary>
    /// The harmless formats a varied response takes: whitespace before, after or around it, which
    /// <see cref="string.Trim()"/> (and so exact-match scoring) removes and which a byte tokenizer
    /// encodes as tokens of their own. Fixed and few, so a model can learn them as it would a house style.
    /// </summary>
    public static IReadOnlyList<(string Before, string After)> Variants { get; } =
    [
        (" ", ""),
        ("", " "),
        (" ", " "),
        ("", "\n"),
        ("\n", "\n"),
    ];

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
    public static SyntheticSplits Generate(ISyntheticTask task, int n, double noise, int seed, int valCount, int testCount) =>
        Generate(task, n, noise, seed, valCount, testCount, variation: 0);

    /// <summary>
    /// The splits of <see cref="Generate(ISyntheticTask, int, double, int, int, int)"/>, and then a share
    /// <paramref name="variation"/> of the training examples whose response carries harmless formatting:
    /// whitespace before and/or after it (see <see cref="Variants"/>). Exact-match scoring trims it away,
    /// so such a response is not wrong, yet the model is trained on tokens a prior never predicts:
    /// disagreement with the prior that is not an error, beside the noise, which is. Validation and
    /// test stay canonical. At variation 0 the data are those of the overload without it, bit for bit.
    /// </summary>
    /// <remarks>
    /// The variation has a random stream of its own, apart from the sampling and the noise, so the same
    /// seed gives the same examples and the same corruption at every variation level. Every training
    /// example draws its chance and its variant whatever the level: the examples varied at a level are
    /// also varied, the same way, at every higher level. Noise corrupts first; the variation then
    /// formats the (possibly corrupted) response.
    /// </remarks>
    public static SyntheticSplits Generate(ISyntheticTask task, int n, double noise, int seed, int valCount, int testCount, double variation)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (n < 1)
            throw new ArgumentOutOfRangeException(nameof(n), $"the number of training examples must be at least 1, not {n}");
        if (!(noise >= 0 && noise <= 1))
            throw new ArgumentOutOfRangeException(nameof(noise), $"noise must be a share between 0 and 1, not {noise}");
        if (!(variation >= 0 && variation <= 1))
            throw new ArgumentOutOfRangeException(nameof(variation), $"variation must be a share between 0 and 1, not {variation}");
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
        var varying = new Random(seed ^ VaryingStreamSalt);
        var corrupted = train.Select(e => Corrupt(e, task.ResponseAlphabet, noise, corrupting));
        return new SyntheticSplits(corrupted.Select(e => Vary(e, variation, varying)).ToList(), val, test);
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

    /// <summary>
    /// With probability <paramref name="variation"/>, wraps the response in one of the <see cref="Variants"/>.
    /// Both draws are made for every example, so an example's fate does not depend on the level.
    /// </summary>
    static SftExample Vary(SftExample example, double variation, Random rng)
    {
        var varied = rng.NextDouble() < variation;
        var (before, after) = Variants[rng.Next(Variants.Count)];
        return varied ? example with { Response = before + example.Response + after } : example;
    }
}
