using System.Text.Json;
using System.Text.Json.Nodes;

namespace BeyondNll.Training.Model;

/// <summary>
/// The shape of a Llama-style decoder (see <see cref="DecoderLM"/>). Serialised as a Hugging Face
/// <c>config.json</c>, so that a checkpoint written here loads in <c>transformers</c> and a Llama or
/// Qwen2 checkpoint from the Hub loads here.
/// </summary>
/// <param name="KvHeads">Key/value heads; fewer than <paramref name="Heads"/> is grouped-query attention.</param>
/// <param name="IntermediateSize">Width of the SwiGLU MLP's gate/up projections.</param>
/// <param name="MaxPositions">Longest sequence the model accepts (RoPE tables are built to this length).</param>
/// <param name="TieEmbeddings">The output head reuses the token embedding matrix.</param>
/// <param name="AttentionBias">q/k/v projections have biases (o_proj never does), as in Qwen2.</param>
public sealed record DecoderConfig(
    int VocabSize,
    int HiddenSize,
    int Layers,
    int Heads,
    int KvHeads,
    int IntermediateSize,
    int MaxPositions,
    double RopeTheta = 10000,
    double RmsNormEps = 1e-5,
    bool TieEmbeddings = false,
    bool AttentionBias = false,
    Llama3RopeScaling? RopeScaling = null)
{
    /// <summary>Per-head width: hidden size / heads.</summary>
    public int HeadDim => HiddenSize / Heads;

    /// <summary>Width of the k and v projections' outputs: KV heads × head dim.</summary>
    public int KvDim => KvHeads * HeadDim;

    /// <summary>The "tiny" configuration of <c>bnll bench</c> and its PyTorch anchor bench/torch_anchor.py (1,082,496 parameters).</summary>
    public static DecoderConfig Tiny(int maxPositions = 128) => Bench(dModel: 128, layers: 4, heads: 4, maxPositions);

    /// <summary>The "small" configuration of <c>bnll bench</c> and its PyTorch anchor bench/torch_anchor.py (6,360,320 parameters).</summary>
    public static DecoderConfig Small(int maxPositions = 256) => Bench(dModel: 256, layers: 6, heads: 8, maxPositions);

    // The bench's models: byte-level vocabulary of 128, full multi-head attention, untied head,
    // MLP width 4·d rounded up to a multiple of 64.
    static DecoderConfig Bench(int dModel, int layers, int heads, int maxPositions) =>
        new(VocabSize: 128, HiddenSize: dModel, Layers: layers, Heads: heads, KvHeads: heads,
            IntermediateSize: (4 * dModel + 63) / 64 * 64, MaxPositions: maxPositions);

    /// <summary>Number of trainable parameters, computed from the shapes alone.</summary>
    public long ParameterCount() => TensorShapes().Values.Sum(shape => shape.Aggregate(1L, (n, d) => n * d));

    /// <summary>
    /// Every parameter of the model by its Hugging Face tensor name (see <see cref="DecoderLM"/>), with
    /// its shape ([out, in] for a weight), from the configuration alone: what a checkpoint of this model
    /// holds, known without making the model.
    /// </summary>
    public IReadOnlyDictionary<string, long[]> TensorShapes()
    {
        long h = HiddenSize, kv = KvDim, mlp = IntermediateSize, vocab = VocabSize;
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal) { ["model.embed_tokens.weight"] = [vocab, h] };
        for (var i = 0; i < Layers; i++)
        {
            var layer = $"model.layers.{i}.";
            shapes[layer + "input_layernorm.weight"] = [h];
            foreach (var (name, rows) in new[] { ("q_proj", h), ("k_proj", kv), ("v_proj", kv) })
            {
                shapes[$"{layer}self_attn.{name}.weight"] = [rows, h];
                if (AttentionBias) shapes[$"{layer}self_attn.{name}.bias"] = [rows];
            }
            shapes[layer + "self_attn.o_proj.weight"] = [h, h];
            shapes[layer + "post_attention_layernorm.weight"] = [h];
            shapes[layer + "mlp.gate_proj.weight"] = [mlp, h];
            shapes[layer + "mlp.up_proj.weight"] = [mlp, h];
            shapes[layer + "mlp.down_proj.weight"] = [h, mlp];
        }
        shapes["model.norm.weight"] = [h];
        if (!TieEmbeddings) shapes["lm_head.weight"] = [vocab, h];
        return shapes;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that makes no model.</summary>
    public void Validate()
    {
        Positive(VocabSize, nameof(VocabSize));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(Layers, nameof(Layers));
        Positive(Heads, nameof(Heads));
        Positive(KvHeads, nameof(KvHeads));
        Positive(IntermediateSize, nameof(IntermediateSize));
        Positive(MaxPositions, nameof(MaxPositions));
        if (HiddenSize % Heads != 0)
            throw new ArgumentException($"HiddenSize {HiddenSize} is not divisible by Heads {Heads}.", nameof(HiddenSize));
        if (Heads % KvHeads != 0)
            throw new ArgumentException($"Heads {Heads} is not divisible by KvHeads {KvHeads}.", nameof(KvHeads));
        if (HeadDim % 2 != 0)
            throw new ArgumentException($"HiddenSize / Heads = {HeadDim} must be even for rotary embeddings.", nameof(HiddenSize));
        if (!(RopeTheta > 0))
            throw new ArgumentException($"RopeTheta must be positive, got {RopeTheta}.", nameof(RopeTheta));
        if (!(RmsNormEps > 0))
            throw new ArgumentException($"RmsNormEps must be positive, got {RmsNormEps}.", nameof(RmsNormEps));
        RopeScaling?.Validate();
    }

    static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive, got {value}.", name);
    }

    // ------------------------------------------------------------------ Hugging Face config.json

    // Our AttentionBias is Qwen2's layout (bias on q/k/v, none on o_proj). Hugging Face's Llama
    // with attention_bias=true also biases o_proj, so a biased model is written as "qwen2" and a
    // Llama config asking for attention_bias is refused rather than loaded with a missing tensor.
    const string Llama = "llama", Qwen2 = "qwen2";

    /// <summary>This configuration as a Hugging Face <c>config.json</c> (float32 weights).</summary>
    public string ToJson()
    {
        var modelType = AttentionBias ? Qwen2 : Llama;
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(AttentionBias ? "Qwen2ForCausalLM" : "LlamaForCausalLM"),
            ["model_type"] = modelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["num_hidden_layers"] = Layers,
            ["num_attention_heads"] = Heads,
            ["num_key_value_heads"] = KvHeads,
            ["intermediate_size"] = IntermediateSize,
            ["max_position_embeddings"] = MaxPositions,
            ["rope_theta"] = RopeTheta,
            ["rms_norm_eps"] = RmsNormEps,
            ["tie_word_embeddings"] = TieEmbeddings,
            ["hidden_act"] = "silu",
            ["torch_dtype"] = "float32",
        };
        if (!AttentionBias) json["attention_bias"] = false;
        if (RopeScaling is { } scaling) json["rope_scaling"] = scaling.ToJson();
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Reads a Hugging Face <c>config.json</c> of a Llama or Qwen2 model. Throws
    /// <see cref="InvalidDataException"/> naming an unsupported model_type, a missing key, or a
    /// feature this decoder does not implement (rope_scaling, a head_dim other than hidden/heads).
    /// </summary>
    public static DecoderConfig FromJson(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject
                   ?? throw new InvalidDataException("config.json is not a JSON object.");
        var modelType = root["model_type"]?.GetValue<string>();
        if (modelType is not (Llama or Qwen2))
            throw new InvalidDataException($"Unsupported model_type '{modelType}': expected '{Llama}' or '{Qwen2}'.");
        var ropeScaling = root["rope_scaling"] is JsonObject scaling ? Llama3RopeScaling.FromJson(scaling) : null;
        if (root["use_sliding_window"]?.GetValue<bool>() == true)
            throw new InvalidDataException("use_sliding_window=true is not supported: attention here always sees the whole context.");

        bool attentionBias = modelType == Qwen2 || (root["attention_bias"]?.GetValue<bool>() ?? false);
        if (modelType == Llama && attentionBias)
            throw new InvalidDataException("A llama config with attention_bias=true (bias on o_proj too) is not supported.");

        int heads = Required(root, "num_attention_heads");
        var config = new DecoderConfig(
            VocabSize: Required(root, "vocab_size"),
            HiddenSize: Required(root, "hidden_size"),
            Layers: Required(root, "num_hidden_layers"),
            Heads: heads,
            KvHeads: root["num_key_value_heads"]?.GetValue<int>() ?? heads,
            IntermediateSize: Required(root, "intermediate_size"),
            MaxPositions: Required(root, "max_position_embeddings"),
            RopeTheta: root["rope_theta"]?.GetValue<double>() ?? 10000,
            RmsNormEps: root["rms_norm_eps"]?.GetValue<double>() ?? 1e-6,   // transformers' default
            TieEmbeddings: root["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            AttentionBias: attentionBias,
            RopeScaling: ropeScaling);
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"config.json describes no valid model: {e.Message}", e);
        }
        if (root["head_dim"]?.GetValue<int>() is int headDim && headDim != config.HeadDim)
            throw new InvalidDataException($"head_dim {headDim} differs from hidden_size / num_attention_heads = {config.HeadDim}; not supported.");
        return config;
    }

    static int Required(JsonObject root, string key) =>
        root[key]?.GetValue<int>() ?? throw new InvalidDataException($"config.json has no '{key}'.");
}
