using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Data;

/// <summary>
/// Packs tokenized examples into an <see cref="SftBatch"/>, with the semantics of verl's SFT
/// dataset: each row is the sequence s = prompt ++ response (ending in EOS), cut on the right
/// to maxLength + 1 tokens; the inputs are s[..^1], the labels s[1..], and only labels that
/// are response tokens carry loss. Rows are right-padded to the longest row of the batch.
/// </summary>
/// <remarks>
/// A prompt that alone fills maxLength leaves no response token in its row. The row is kept,
/// with an all-zero loss mask, rather than dropped: dropping would make the batch size, and the
/// examples a step sees, depend on the length limit. It still counts in <see cref="SftBatch.Tokens"/>.
/// </remarks>
public static class SftBatcher
{
    public static SftBatch Make(IReadOnlyList<TokenizedExample> examples, int maxLength, int padId, Device? device = null)
    {
        if (examples.Count == 0)
            throw new ArgumentException("a batch needs at least one example", nameof(examples));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);

        var lengths = examples
            .Select(e => Math.Min(e.PromptIds.Length + e.ResponseIds.Length, maxLength + 1) - 1)
            .ToArray();
        // At least one column, so that even a batch of one-token rows is a valid [B, T] input.
        int width = Math.Max(1, lengths.Max());

        var inputIds = new long[examples.Count * width];
        var labels = new long[examples.Count * width];
        var lossMask = new float[examples.Count * width];
        Array.Fill(inputIds, padId);
        int responseTokens = 0;

        for (int row = 0; row < examples.Count; row++)
        {
            var (prompt, response) = (examples[row].PromptIds, examples[row].ResponseIds);
            int TokenAt(int i) => i < prompt.Length ? prompt[i] : response[i - prompt.Length];

            for (int i = 0; i < lengths[row]; i++)
            {
                int cell = row * width + i;
                inputIds[cell] = TokenAt(i);
                labels[cell] = TokenAt(i + 1);
                if (i + 1 >= prompt.Length)
                {
                    lossMask[cell] = 1f;
                    responseTokens++;
                }
            }
        }

        long[] shape = [examples.Count, width];
        return new SftBatch(
            torch.tensor(inputIds, shape, device: device),
            torch.tensor(labels, shape, device: device),
            torch.tensor(lossMask, shape, device: device),
            lengths,
            responseTokens);
    }
}
