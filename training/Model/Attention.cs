using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// Causal self-attention with rotary positions and optional grouped-query attention (GQA: each of
/// the <c>KvHeads</c> key/value heads serves Heads / KvHeads query heads). Separate q/k/v/o
/// projections, as Hugging Face names them (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>,
/// <c>o_proj</c>); q/k/v carry biases when <see cref="DecoderConfig.AttentionBias"/> (Qwen2).
/// The attention itself is <see cref="CausalAttention"/>.
/// </summary>
public sealed class Attention : nn.Module
{
    // ComponentName gives each projection its Hugging Face parameter name.
    [ComponentName(Name = "q_proj")] readonly Linear qProj;
    [ComponentName(Name = "k_proj")] readonly Linear kProj;
    [ComponentName(Name = "v_proj")] readonly Linear vProj;
    [ComponentName(Name = "o_proj")] readonly Linear oProj;
    readonly int heads, kvHeads, headDim, layer;
    LoraAdapters? lora;   // registered as "lora" once adapters are added

    /// <param name="layer">This layer's index, to find its slots in a <see cref="KvCache"/>.</param>
    public Attention(DecoderConfig config, int layer) : base(nameof(Attention))
    {
        (heads, kvHeads, headDim, this.layer) = (config.Heads, config.KvHeads, config.HeadDim, layer);
        qProj = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: config.AttentionBias);
        kProj = nn.Linear(config.HiddenSize, config.KvDim, hasBias: config.AttentionBias);
        vProj = nn.Linear(config.HiddenSize, config.KvDim, hasBias: config.AttentionBias);
        oProj = nn.Linear(config.HiddenSize, config.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>
    /// x [B, T, hidden] holds positions start .. start+T-1, where start is the cache's length (0
    /// without a cache). Returns [B, T, hidden]. With a cache, this layer's keys and values of the
    /// new positions are appended to it (the caller advances the cache after the last layer).
    /// </summary>
    public Tensor Forward(Tensor x, RotaryEmbedding rope, KvCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        long start = cache?.Length ?? 0;

        // Rotate in the [B, T, heads, d] layout the projections give, then view as [B, heads, T, d].
        var q = rope.Apply(Project(qProj, "q_proj", x).view(b, t, heads, headDim), start).transpose(1, 2);
        var k = rope.Apply(Project(kProj, "k_proj", x).view(b, t, kvHeads, headDim), start).transpose(1, 2);
        var v = Project(vProj, "v_proj", x).view(b, t, kvHeads, headDim).transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);

        if (kvHeads != heads)
        {
            // Query head h reads key/value head h / groups, as Hugging Face's repeat_kv.
            k = k.repeat_interleave(heads / kvHeads, dim: 1);
            v = v.repeat_interleave(heads / kvHeads, dim: 1);
        }

        var y = CausalAttention.Compute(q, k, v, start);
        return Project(oProj, "o_proj", y.transpose(1, 2).reshape(b, t, heads * headDim));
    }

    Tensor Project(Linear projection, string name, Tensor x)
    {
        var y = projection.call(x);
        return lora?.Delta(name, x) is Tensor delta ? y + delta : y;
    }

    /// <summary>Adds LoRA adapters to the projections among <see cref="LoraOptions.Targets"/>.</summary>
    internal void EnableLora(LoraOptions options, Generator? generator)
    {
        var targets = new Dictionary<string, Linear> { ["q_proj"] = qProj, ["k_proj"] = kProj, ["v_proj"] = vProj, ["o_proj"] = oProj }
            .Where(e => options.Targets.Contains(e.Key)).ToDictionary();
        if (targets.Count == 0 || lora is not null) return;
        lora = new LoraAdapters(targets, options, generator);
        register_module(LoraAdapters.ModuleName, lora);
    }

    internal void MergeLora() => lora?.Merge();
}
