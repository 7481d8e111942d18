using static TorchSharp.torch;

namespace BeyondNll.Training.Data;

/// <summary>
/// A padded batch for next-token prediction, as made by <see cref="SftBatcher"/>. Row b of
/// <see cref="InputIds"/> is fed to the model; the model's output at position i is scored
/// against <c>Labels[b, i]</c> wherever <c>LossMask[b, i]</c> is 1, i.e. on response tokens.
/// Owns its tensors.
/// </summary>
public sealed class SftBatch : IDisposable
{
    internal SftBatch(Tensor inputIds, Tensor labels, Tensor lossMask, int[] lengths, int responseTokens)
    {
        InputIds = inputIds;
        Labels = labels;
        LossMask = lossMask;
        Lengths = lengths;
        ResponseTokens = responseTokens;
    }

    /// <summary>[B, T] int64 token ids, right-padded.</summary>
    public Tensor InputIds { get; }

    /// <summary>[B, T] int64: the id that follows each input position; 0 in padding.</summary>
    public Tensor Labels { get; }

    /// <summary>[B, T] float32: 1 where the label is a response token, else 0.</summary>
    public Tensor LossMask { get; }

    /// <summary>The number of real (non-padding) positions of each row.</summary>
    public int[] Lengths { get; }

    /// <summary>Rows in the batch (B).</summary>
    public int Rows => Lengths.Length;

    /// <summary>Padded length of every row (T).</summary>
    public int SequenceLength => (int)InputIds.shape[1];

    /// <summary>Positions that carry loss: the sum of <see cref="LossMask"/>.</summary>
    public int ResponseTokens { get; }

    /// <summary>Real input tokens, padding excluded: what a tokens-per-second rate counts.</summary>
    public int Tokens => Lengths.Sum();

    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
        LossMask.Dispose();
    }
}
