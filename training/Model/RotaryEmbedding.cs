using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// Rotary position embedding (RoPE) in the "rotate-half" convention of Hugging Face's Llama and
/// of the PyTorch anchor bench/torch_anchor.py: dimension i of a head is paired with dimension i + d/2 and
/// the pair is rotated by the angle position · theta^(-2i/d).
/// <para>
/// The cos and sin tables for every position up to the model's maximum are computed once and kept
/// as non-persistent buffers (they follow the module to a device but are not saved). Applying
/// them is x · cos + rotate_half(x) · sin with rotate_half(x) = [-x₂, x₁]; we store sin with its
/// first half negated, so that rotate_half becomes a plain roll by d/2: [x₂, x₁] · [-sin, sin].
/// </para>
/// </summary>
public sealed class RotaryEmbedding : nn.Module
{
    // Field names equal the buffer names: TorchSharp's Module.to() replaces buffer fields by name.
    readonly Tensor cos;   // [maxPositions, headDim]
    readonly Tensor sin;   // [maxPositions, headDim], first half negated
    readonly int half;

    /// <param name="scaling">Llama 3.1's frequency scaling, or null for plain RoPE.</param>
    public RotaryEmbedding(int headDim, int maxPositions, double theta, Llama3RopeScaling? scaling = null) : base(nameof(RotaryEmbedding))
    {
        half = headDim / 2;
        using var scope = NewDisposeScope();
        var invFreq = pow(theta, -arange(0, headDim, 2, dtype: float64) / headDim);   // [d/2]
        if (scaling is not null) invFreq = tensor(scaling.Apply(invFreq.data<double>().ToArray()), dtype: float64);
        var angles = outer(arange(maxPositions, dtype: float64), invFreq);              // [T, d/2]
        // float64 for the angles so that long contexts keep their precision, float32 to store.
        cos = cat([angles.cos(), angles.cos()], -1).to_type(float32).DetachFromDisposeScope();
        sin = cat([-angles.sin(), angles.sin()], -1).to_type(float32).DetachFromDisposeScope();
        register_buffer("cos", cos, persistent: false);
        register_buffer("sin", sin, persistent: false);
    }

    /// <summary>Rotates <paramref name="x"/> [B, T, heads, headDim] holding positions start .. start+T-1.</summary>
    public Tensor Apply(Tensor x, long start)
    {
        long t = x.shape[1];
        // In x's dtype (bf16 weights), as Hugging Face casts cos and sin; a no-op for float32.
        var c = cos.narrow(0, start, t).unsqueeze(1).to_type(x.dtype);         // [T, 1, d]: broadcast over heads
        var s = sin.narrow(0, start, t).unsqueeze(1).to_type(x.dtype);
        return x * c + x.roll(half, -1) * s;
    }
}
