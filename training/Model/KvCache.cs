using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// Keys and values of the positions a <see cref="DecoderLM"/> has already processed, so that
/// incremental decoding feeds only the new tokens. Preallocated: one [batch, kvHeads, maxLength,
/// headDim] buffer per layer for keys and one for values, written in place, so a decoding step
/// allocates nothing that grows with the sequence. Made by <see cref="DecoderLM.NewCache"/>.
/// <para>
/// Meant for inference (under <c>torch.no_grad()</c>): the buffers are not part of any autograd graph.
/// </para>
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] keys, values;

    /// <summary>Positions stored so far; the next tokens fed to the model get positions Length, Length+1, ….</summary>
    public int Length { get; private set; }

    /// <summary>Capacity in positions.</summary>
    public int MaxLength { get; }

    /// <summary>Rows of the batch the cache was made for.</summary>
    public int Batch { get; }

    internal KvCache(DecoderConfig config, int batch, int maxLength, ScalarType dtype, Device device)
    {
        Batch = batch;
        MaxLength = maxLength;
        keys = new Tensor[config.Layers];
        values = new Tensor[config.Layers];
        for (int i = 0; i < config.Layers; i++)
        {
            // The caller's dispose scope must not free the cache: it lives until Dispose.
            keys[i] = empty([batch, config.KvHeads, maxLength, config.HeadDim], dtype, device).DetachFromDisposeScope();
            values[i] = empty([batch, config.KvHeads, maxLength, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
    }

    /// <summary>Forgets every stored position (the buffers are kept for reuse).</summary>
    public void Reset() => Length = 0;

    /// <summary>Throws unless <paramref name="count"/> more positions of <paramref name="batch"/> rows fit.</summary>
    internal void CheckRoom(long batch, long count)
    {
        if (batch != Batch)
            throw new ArgumentException($"The cache was made for batch {Batch}, got {batch} rows.");
        if (Length + count > MaxLength)
            throw new ArgumentException($"The cache holds {Length} of {MaxLength} positions; {count} more do not fit.");
    }

    /// <summary>
    /// Writes the new positions' keys and values [B, kvHeads, T, headDim] of one layer at
    /// positions Length.. and returns views of all stored keys and values, new ones included.
    /// </summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor newKeys, Tensor newValues)
    {
        long count = newKeys.shape[2];
        keys[layer].narrow(2, Length, count).copy_(newKeys);
        values[layer].narrow(2, Length, count).copy_(newValues);
        return (keys[layer].narrow(2, 0, Length + count), values[layer].narrow(2, 0, Length + count));
    }

    /// <summary>Called once every layer has appended: the new positions become part of the cache.</summary>
    internal void Advance(long count) => Length += (int)count;

    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
