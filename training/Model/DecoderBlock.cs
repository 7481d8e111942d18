using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// One pre-norm transformer layer: x + attention(norm(x)), then h + mlp(norm(h)). Hugging Face
/// names: <c>input_layernorm</c>, <c>self_attn</c>, <c>post_attention_layernorm</c>, <c>mlp</c>.
/// </summary>
public sealed class DecoderBlock : nn.Module
{
    [ComponentName(Name = "input_layernorm")] readonly RmsNorm inputLayernorm;
    [ComponentName(Name = "self_attn")] readonly Attention selfAttn;
    [ComponentName(Name = "post_attention_layernorm")] readonly RmsNorm postAttentionLayernorm;
    [ComponentName(Name = "mlp")] readonly SwiGluMlp mlp;

    public DecoderBlock(DecoderConfig config, int layer) : base(nameof(DecoderBlock))
    {
        inputLayernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        selfAttn = new Attention(config, layer);
        postAttentionLayernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        mlp = new SwiGluMlp(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    internal void EnableLora(LoraOptions options, Generator? generator)
    {
        selfAttn.EnableLora(options, generator);
        mlp.EnableLora(options, generator);
    }

    internal void MergeLora()
    {
        selfAttn.MergeLora();
        mlp.MergeLora();
    }

    /// <summary>See <see cref="Attention.Forward"/> for the positions and the cache.</summary>
    public Tensor Forward(Tensor x, RotaryEmbedding rope, KvCache? cache)
    {
        // The layer's intermediates are released on return; autograd keeps what backward needs.
        using var scope = NewDisposeScope();
        var h = x + selfAttn.Forward(inputLayernorm.call(x), rope, cache);
        return (h + mlp.call(postAttentionLayernorm.call(h))).MoveToOuterDisposeScope();
    }
}
