using BeyondNll.Training.Data;

namespace BeyondNll.Training.Synthetic;

/// <summary>
/// A task on one random lowercase word: prompt <c>"name:word="</c>, response the word
/// transformed. Reverse, sort and cipher differ only in the transform, so they are instances
/// of this one class rather than three copies of it.
/// </summary>
public sealed class WordTask : ISyntheticTask
{
    const string Letters = "abcdefghijklmnopqrstuvwxyz";

    readonly Func<string, string> transform;

    WordTask(string name, string description, Func<string, string> transform, int minLength, int maxLength)
    {
        if (minLength < 1 || minLength > maxLength)
            throw new ArgumentOutOfRangeException(nameof(minLength),
                $"word length range [{minLength}, {maxLength}] must start at 1 or more and not be empty");
        Name = name;
        Description = description;
        this.transform = transform;
        MinLength = minLength;
        MaxLength = maxLength;
    }

    public static WordTask Reverse(int minLength = 3, int maxLength = 12) => new(
        "reverse", "reverse a word: reverse:abcde= -> edcba",
        word => new string(word.Reverse().ToArray()), minLength, maxLength);

    public static WordTask Sort(int minLength = 3, int maxLength = 12) => new(
        "sort", "sort the letters of a word: sort:dbca= -> abcd",
        word => new string(word.Order().ToArray()), minLength, maxLength);

    public static WordTask Cipher(int minLength = 3, int maxLength = 12) => new(
        "cipher", "encipher a word with a fixed, made-up substitution: cipher:hello= -> " +
                  SubstitutionCipher.Encipher("hello"),
        SubstitutionCipher.Encipher, minLength, maxLength);

    public string Name { get; }

    public string Description { get; }

    public int MinLength { get; }

    public int MaxLength { get; }

    public string ResponseAlphabet => Letters;

    public SftExample Sample(Random rng)
    {
        var word = new string(rng.GetItems(Letters.AsSpan(), rng.Next(MinLength, MaxLength + 1)));
        return new SftExample($"{Name}:{word}=", transform(word));
    }
}
