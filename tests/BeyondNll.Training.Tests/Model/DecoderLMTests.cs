using BeyondNll.Training.Model;
using TorchSharp;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Model;

public class DecoderLMTests
{
    [Fact]
    public void Parameter_count_from_shapes_equals_the_models_actual_count()
    {
        foreach (var config in new[] { DecoderConfig.Tiny(), DecoderConfig.Small(), Gqa, Gqa with { AttentionBias = true, TieEmbeddings = true } })
        {
            using var model = Create(config);
            Assert.Equal(config.ParameterCount(), model.parameters().Sum(p => p.numel()));
        }
    }

    /// <summary>What a checkpoint is checked against before any weight is read: the config's own list of tensors, which must be the model's.</summary>
    [Fact]
    public void The_configs_tensor_shapes_are_the_models_parameters()
    {
        foreach (var config in new[] { DecoderConfig.Tiny(), Gqa, Gqa with { AttentionBias = true, TieEmbeddings = true } })
        {
            using var model = Create(config);
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
            Assert.Equal(parameters.Keys.Order(), config.TensorShapes().Keys.Order());
            Assert.All(config.TensorShapes(), t => Assert.Equal(parameters[t.Key], t.Value));
        }
    }

    [Fact]
    public void Parameters_have_hugging_face_names_and_shapes()
    {
        var config = Gqa with { AttentionBias = true };
        using var model = Create(config);
        var expected = new Dictionary<string, long[]>
        {
            ["model.embed_tokens.weight"] = [61, 32],
            ["model.norm.weight"] = [32],
            ["lm_head.weight"] = [61, 32],
        };
        for (int i = 0; i < config.Layers; i++)
        {
            var p = $"model.layers.{i}.";
            expected[p + "input_layernorm.weight"] = [32];
            expected[p + "self_attn.q_proj.weight"] = [32, 32];
            expected[p + "self_attn.q_proj.bias"] = [32];
            expected[p + "self_attn.k_proj.weight"] = [16, 32];
            expected[p + "self_attn.k_proj.bias"] = [16];
            expected[p + "self_attn.v_proj.weight"] = [16, 32];
            expected[p + "self_attn.v_proj.bias"] = [16];
            expected[p + "self_attn.o_proj.weight"] = [32, 32];
            expected[p + "post_attention_layernorm.weight"] = [32];
            expected[p + "mlp.gate_proj.weight"] = [64, 32];
            expected[p + "mlp.up_proj.weight"] = [64, 32];
            expected[p + "mlp.down_proj.weight"] = [32, 64];
        }
        var actual = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, shape) in expected) Assert.Equal(shape, actual[name]);
        // The RoPE tables are buffers that are not saved.
        Assert.Equal(expected.Keys.Order(), model.state_dict().Keys.Order());
    }

    [Fact]
    public void Initialisation_is_deterministic_under_a_generator()
    {
        using var a = Create(Gqa, seed: 3);
        using var b = Create(Gqa, seed: 3);
        using var c = Create(Gqa, seed: 4);
        var pa = a.state_dict();
        var pb = b.state_dict();
        var pc = c.state_dict();
        foreach (var name in pa.Keys) Assert.True(Identical(pa[name], pb[name]), name);
        Assert.False(Identical(pa["model.embed_tokens.weight"], pc["model.embed_tokens.weight"]));
        var std = pa["model.layers.0.mlp.up_proj.weight"].std().item<float>();
        Assert.InRange(std, 0.018f, 0.022f);
    }

    [Fact]
    public void Forward_is_head_of_hidden_with_vocabulary_logits()
    {
        using var model = Create(Gqa);
        using var ids = RandomIds(Gqa, 3, 9);
        using var logits = model.forward(ids);
        Assert.Equal(new long[] { 3, 9, 61 }, logits.shape);
        using var hidden = model.Hidden(ids);
        Assert.Equal(new long[] { 3, 9, 32 }, hidden.shape);
        Assert.True(Identical(logits, model.Head(hidden)));
    }

    [Fact]
    public void Changing_a_later_token_never_changes_earlier_logits()
    {
        using var model = Create(Gqa);
        using var ids = RandomIds(Gqa, 2, 16);
        using var changed = ids.clone();
        changed[.., 10] = (ids[.., 10] + 1) % Gqa.VocabSize;

        using var before = model.forward(ids);
        using var after = model.forward(changed);
        Assert.True(MaxAbsDifference(before[.., ..10], after[.., ..10]) <= 1e-5f);
        Assert.True(MaxAbsDifference(before[.., 10..], after[.., 10..]) > 1e-3f);   // the change did reach the model
    }

    [Fact]
    public void Incremental_decoding_with_a_cache_equals_full_recomputation()
    {
        using var model = Create(Gqa);
        model.eval();
        using var noGrad = no_grad();
        using var ids = RandomIds(Gqa, 2, 12);
        using var full = model.forward(ids);

        using var cache = model.NewCache(batch: 2, maxLength: 12);
        // A prompt, then several tokens at once after cached ones (needs the explicit causal
        // mask), then one token at a time.
        var pieces = new List<Tensor>();
        foreach (var (start, length) in new[] { (0, 5), (5, 3), (8, 1), (9, 1), (10, 2) })
        {
            pieces.Add(model.forward(ids.narrow(1, start, length), cache));
            Assert.Equal(start + length, cache.Length);
        }
        using var incremental = cat(pieces, 1);
        Assert.True(MaxAbsDifference(full, incremental) <= 1e-4f, $"max difference {MaxAbsDifference(full, incremental)}");
        Assert.Throws<ArgumentException>(() => model.Hidden(ids.narrow(1, 0, 1), cache));   // full
    }

    [Fact]
    public void Tied_head_has_no_lm_head_and_reads_the_embedding()
    {
        using var model = Create(Gqa with { TieEmbeddings = true });
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.DoesNotContain("lm_head.weight", parameters.Keys);

        var embedding = parameters["model.embed_tokens.weight"];
        using var hidden = randn(2, 3, 32);
        Assert.True(model.Head(hidden).allclose(hidden.matmul(embedding.t())));
        using (no_grad()) embedding.mul_(2);   // the head follows the embedding
        Assert.True(model.Head(hidden).allclose(hidden.matmul(embedding.t())));
    }

    [Fact]
    public void Backward_reaches_every_parameter()
    {
        using var model = Create(Gqa with { AttentionBias = true });
        model.train();
        using var ids = RandomIds(Gqa, 2, 8);
        using var logits = model.forward(ids);
        using var loss = nn.functional.cross_entropy(logits.reshape(-1, Gqa.VocabSize), ids.reshape(-1));
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void Sequences_longer_than_max_positions_are_refused()
    {
        using var model = Create(Gqa);
        using var ids = RandomIds(Gqa, 1, Gqa.MaxPositions + 1);
        Assert.Throws<ArgumentException>(() => model.forward(ids));
    }
}
