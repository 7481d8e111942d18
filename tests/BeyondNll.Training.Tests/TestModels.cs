using BeyondNll.Training.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Tests;

/// <summary>Small models and inputs shared by the tests.</summary>
static class TestModels
{
    /// <summary>A decoder that trains in seconds on two cores.</summary>
    public static DecoderConfig Micro(int maxPositions = 32) =>
        new(VocabSize: 128, HiddenSize: 64, Layers: 2, Heads: 4, KvHeads: 4, IntermediateSize: 128, MaxPositions: maxPositions);

    /// <summary>A micro decoder initialised from its own generator: the same seed, the same weights.</summary>
    public static DecoderLM Seeded(int seed = 0, DecoderConfig? config = null) => Create(config ?? Micro(), (ulong)seed);

    /// <summary>Two layers, grouped KV heads (4 query heads on 2 KV heads), odd vocabulary.</summary>
    public static readonly DecoderConfig Gqa = new(VocabSize: 61, HiddenSize: 32, Layers: 2, Heads: 4, KvHeads: 2,
        IntermediateSize: 64, MaxPositions: 32);

    public static DecoderLM Create(DecoderConfig config, ulong seed = 7) => new(config, new Generator(seed));

    /// <summary>
    /// A model whose weights have std 0.5 instead of 0.02, so its logits are far apart and greedy
    /// choices are not decided by float rounding (the cache and no-cache paths round differently).
    /// </summary>
    public static DecoderLM Peaked(DecoderConfig config, ulong seed = 7)
    {
        var model = Create(config, seed);
        var generator = new Generator(seed + 1);
        using var noGrad = no_grad();
        foreach (var (_, p) in model.named_parameters())
            if (p.dim() == 2) p.normal_(0.0, 0.5, generator);
        return model;
    }

    public static Tensor RandomIds(DecoderConfig config, long batch, long length, ulong seed = 11) =>
        randint(config.VocabSize, [batch, length], dtype: int64, generator: new Generator(seed));

    /// <summary>Same shape and bit-for-bit the same values.</summary>
    public static bool Identical(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static float MaxAbsDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
