using BeyondNll.Training.Model;

namespace BeyondNll.Training.Tests.Model;

public class DecoderConfigTests
{
    // Parameter counts of the bench models (bench/torch_anchor.py; TorchAnchorTests checks the
    // script's own count and shapes), from the formula:
    // vocab·d (embedding) + layers·(4d² + 3·d·mlp + 2d) + d (final norm) + vocab·d (untied head),
    // mlp = ceil(4d/64)·64.
    [Fact]
    public void Tiny_and_small_have_the_bench_models_parameter_counts()
    {
        Assert.Equal(1_082_496, DecoderConfig.Tiny().ParameterCount());
        Assert.Equal(6_360_320, DecoderConfig.Small().ParameterCount());
    }

    [Fact]
    public void Bench_configs_have_the_bench_shapes()
    {
        Assert.Equal(new DecoderConfig(128, 128, 4, 4, 4, 512, 128), DecoderConfig.Tiny());
        Assert.Equal(new DecoderConfig(128, 256, 6, 8, 8, 1024, 256), DecoderConfig.Small());
    }

    [Fact]
    public void Grouped_kv_heads_and_biases_and_tying_change_the_count_as_their_shapes_do()
    {
        var full = new DecoderConfig(VocabSize: 50, HiddenSize: 32, Layers: 2, Heads: 4, KvHeads: 4, IntermediateSize: 64, MaxPositions: 16);
        var gqa = full with { KvHeads = 1 };   // k and v shrink from 32×32 to 32×8 per layer
        Assert.Equal(full.ParameterCount() - 2 * 2 * 32 * (32 - 8), gqa.ParameterCount());
        Assert.Equal(gqa.ParameterCount() + 2 * (32 + 8 + 8), (gqa with { AttentionBias = true }).ParameterCount());
        Assert.Equal(full.ParameterCount() - 50 * 32, (full with { TieEmbeddings = true }).ParameterCount());
    }

    [Theory]
    [InlineData(0, 32, 4, 4, "VocabSize")]
    [InlineData(10, 30, 4, 4, "HiddenSize")]    // not divisible by heads
    [InlineData(10, 32, 4, 3, "KvHeads")]       // heads not divisible by KV heads
    [InlineData(10, 32, 0, 1, "Heads")]
    [InlineData(10, 12, 4, 4, "HiddenSize")]    // head dim 3 is odd: no rotate-half pairs
    public void Validation_names_the_offending_field(int vocab, int hidden, int heads, int kvHeads, string field)
    {
        var config = new DecoderConfig(vocab, hidden, Layers: 1, heads, kvHeads, IntermediateSize: 8, MaxPositions: 8);
        var error = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal(field, error.ParamName);
    }

    [Fact]
    public void Json_round_trips_in_hugging_face_keys()
    {
        var config = new DecoderConfig(VocabSize: 151, HiddenSize: 64, Layers: 3, Heads: 8, KvHeads: 2, IntermediateSize: 96,
            MaxPositions: 512, RopeTheta: 1_000_000, RmsNormEps: 1e-6, TieEmbeddings: true);
        var json = config.ToJson();
        foreach (var key in new[] { "\"model_type\": \"llama\"", "\"vocab_size\": 151", "\"num_hidden_layers\": 3",
                     "\"num_key_value_heads\": 2", "\"max_position_embeddings\": 512", "\"tie_word_embeddings\": true",
                     "\"torch_dtype\": \"float32\"", "\"LlamaForCausalLM\"" })
            Assert.Contains(key, json);
        Assert.Equal(config, DecoderConfig.FromJson(json));

        var biased = config with { AttentionBias = true };
        Assert.Contains("\"model_type\": \"qwen2\"", biased.ToJson());
        Assert.Equal(biased, DecoderConfig.FromJson(biased.ToJson()));
    }

    [Fact]
    public void A_qwen2_config_from_the_hub_reads_with_attention_bias()
    {
        const string json = """
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896,
             "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2, "intermediate_size": 4864,
             "max_position_embeddings": 32768, "rope_theta": 1000000.0, "rms_norm_eps": 1e-06,
             "tie_word_embeddings": true, "rope_scaling": null, "torch_dtype": "bfloat16", "use_sliding_window": false}
            """;
        var config = DecoderConfig.FromJson(json);
        Assert.Equal(new DecoderConfig(151936, 896, 24, 14, 2, 4864, 32768, 1_000_000, 1e-6, TieEmbeddings: true, AttentionBias: true), config);
        Assert.Equal(494_032_768, config.ParameterCount());   // Qwen2.5-0.5B's published count
    }

    [Fact]
    public void Unsupported_model_type_is_named()
    {
        var json = DecoderConfig.Tiny().ToJson().Replace("\"llama\"", "\"mistral\"");
        var error = Assert.Throws<InvalidDataException>(() => DecoderConfig.FromJson(json));
        Assert.Contains("mistral", error.Message);
    }

    [Theory]
    [InlineData("\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0}", "'yarn'")]
    [InlineData("\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}", "low_freq_factor")]
    [InlineData("\"use_sliding_window\": true", "use_sliding_window")]
    [InlineData("\"head_dim\": 64", "head_dim")]
    public void Features_this_decoder_lacks_are_refused_by_name(string entry, string key)
    {
        var json = DecoderConfig.Tiny().ToJson().Replace("{", "{" + entry + ",");
        var error = Assert.Throws<InvalidDataException>(() => DecoderConfig.FromJson(json));
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void A_missing_key_is_named()
    {
        var json = DecoderConfig.Tiny().ToJson().Replace("\"hidden_size\"", "\"hidden\"");
        var error = Assert.Throws<InvalidDataException>(() => DecoderConfig.FromJson(json));
        Assert.Contains("hidden_size", error.Message);
    }
}
