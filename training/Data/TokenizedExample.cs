using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Data;

/// <summary>
/// An SFT example as token ids. <see cref="ResponseIds"/> ends with the tokenizer's
/// end-of-sequence id, so the model learns to stop after the response.
/// </summary>
public sealed record TokenizedExample(int[] PromptIds, int[] ResponseIds)
{
    public static TokenizedExample From(SftExample example, ITokenizer tokenizer) => new(
        tokenizer.Encode(example.Prompt),
        [.. tokenizer.Encode(example.Response), tokenizer.EosId]);

    /// <summary>
    /// Tokenizes a whole data set; text the tokenizer rejects is reported with the 1-based
    /// number of its example, as the tokenizer alone cannot say where in the data it is.
    /// </summary>
    public static IReadOnlyList<TokenizedExample> FromAll(IReadOnlyList<SftExample> examples, ITokenizer tokenizer)
    {
        var tokenized = new TokenizedExample[examples.Count];
        for (int i = 0; i < examples.Count; i++)
        {
            try
            {
                tokenized[i] = From(examples[i], tokenizer);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"example {i + 1}: {e.Message}", e);
            }
        }
        return tokenized;
    }
}
