using BeyondNll.Training.Model;
using static TorchSharp.torch;

namespace BeyondNll.Training.Tests;

/// <summary>Small decoders that train in seconds on two cores.</summary>
static class TestModels
{
    public static DecoderConfig Micro(int maxPositions = 32) =>
        new(VocabSize: 128, HiddenSize: 64, Layers: 2, Heads: 4, KvHeads: 4, IntermediateSize: 128, MaxPositions: maxPositions);

    public static DecoderLM Seeded(int seed = 0, DecoderConfig? config = null)
    {
        manual_seed(seed);
        return new DecoderLM(config ?? Micro());
    }
}
