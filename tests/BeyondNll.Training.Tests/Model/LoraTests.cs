using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Model;

public class LoraTests
{
    static readonly DecoderConfig Config = Gqa with { TieEmbeddings = true, AttentionBias = true };

    static List<TokenizedExample> Examples()
    {
        var random = new Random(8);
        return Enumerable.Range(0, 8).Select(_ => new TokenizedExample([random.Next(1, 61), random.Next(1, 61)],
            Enumerable.Range(0, 4).Select(_ => random.Next(1, 61)).ToArray())).ToList();
    }

    static TrainingRecipe Options(int steps = 6) =>
        new() { Objective = "nll", Steps = steps, BatchSize = 8, MaxLength = 8, LearningRate = 3e-2, WarmupFraction = 0 };

    [Fact]
    public void Adapters_start_at_the_backbone_and_only_they_are_trained()
    {
        using var model = Peaked(Config);
        using var ids = RandomIds(Config, 2, 8);
        using var before = model.forward(ids).detach();
        var baseWeights = model.BaseParameters().ToDictionary(p => p.Name, p => p.Parameter.detach().clone());

        model.EnableLora(new LoraOptions(4, 8, ["q_proj", "v_proj", "down_proj"]), new Generator(1));
        var adapterNames = model.named_parameters().Select(p => p.name).Except(baseWeights.Keys).ToList();
        Assert.Equal(2 * 2 * 3, adapterNames.Count);   // 2 layers × 3 targets × (A, B)
        Assert.Contains("model.layers.0.self_attn.lora.q_proj_lora_A", adapterNames);
        Assert.Contains("model.layers.1.mlp.lora.down_proj_lora_B", adapterNames);
        using (var after = model.forward(ids)) Assert.True(Identical(before, after));

        var result = new SftTrainer(model, Options(), 0).Train(Examples());
        Assert.True(result.History[^1].Loss < result.History[0].Loss, $"loss {result.History[0].Loss} → {result.History[^1].Loss}");
        foreach (var (name, p) in model.BaseParameters())
            Assert.True(p.equal(baseWeights[name]).all().item<bool>(), $"{name} changed");
        Assert.Contains(model.named_parameters(), p => p.name.EndsWith("_lora_B") && p.parameter.abs().max().item<float>() > 0);
    }

    [Fact]
    public void Merged_adapters_give_the_same_logits_and_save_as_a_plain_checkpoint()
    {
        using var model = Peaked(Config);
        model.EnableLora(new LoraOptions(2, 4, [LoraOptions.AllLinear]), new Generator(2));
        new SftTrainer(model, Options(steps: 3), 0).Train(Examples());
        using var ids = RandomIds(Config, 2, 8);
        using var adapted = model.forward(ids).detach();

        using var dir = new TempFolder();
        Checkpoint.Save(model, dir.Path);   // merges
        using (var merged = model.forward(ids))
            Assert.True(adapted.allclose(merged, rtol: 1e-4, atol: 1e-5));
        using var loaded = Checkpoint.Load(dir.Path);
        Assert.Equal(model.BaseParameters().Select(p => p.Name), loaded.named_parameters().Select(p => p.name));
        using var reloaded = loaded.forward(ids);
        Assert.True(adapted.allclose(reloaded, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Gradient_checkpointing_works_with_a_frozen_embedding()
    {
        using var model = Peaked(Config);
        model.EnableLora(new LoraOptions(2, 2, ["o_proj"]), new Generator(3));
        var result = new SftTrainer(model, Options(steps: 2) with { GradientCheckpointing = true }, 0).Train(Examples());
        Assert.All(result.History, h => Assert.True(double.IsFinite(h.GradNorm) && h.GradNorm > 0));
    }

    [Theory]
    [InlineData(0, 8, "q_proj", "rank")]
    [InlineData(4, 0, "q_proj", "alpha")]
    [InlineData(4, 8, "qkv", "'qkv'")]
    public void Bad_options_are_refused_by_name(int rank, double alpha, string target, string named)
    {
        using var model = Create(Config);
        var e = Assert.Throws<ArgumentException>(() => model.EnableLora(new LoraOptions(rank, alpha, LoraOptions.ParseTargets(target))));
        Assert.Contains(named, e.Message);
        Assert.False(model.HasLora);
    }
}
