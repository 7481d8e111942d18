using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Trainer;

/// <summary>The settings `bnll train` and a search's trials share: checked with the flag named, applied as before.</summary>
public class TuningSettingsTests
{
    [Fact]
    public void Prepare_converts_the_weights_and_adds_seeded_adapters_as_train_did()
    {
        var settings = new TuningSettings { Dtype = "bf16", LoraRank = 4, LoraAlpha = 8, LoraTargets = "q_proj, down_proj" };
        using var prepared = Peaked(Gqa);
        settings.Prepare(prepared, seed: 7);

        // What `bnll train` did by hand before the settings had one home.
        using var byHand = Peaked(Gqa);
        WeightPrecision.Apply(byHand, ScalarType.BFloat16);
        byHand.EnableLora(new LoraOptions(4, 8, ["q_proj", "down_proj"]), new Generator(7));

        Assert.True(prepared.HasLora);
        Assert.Equal("bfloat16", TuningSettings.DtypeOf(prepared));
        var expected = byHand.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in prepared.named_parameters())
        {
            Assert.Equal(expected[name].requires_grad, p.requires_grad);
            Assert.True(p.equal(expected[name]).all().item<bool>(), $"{name} differs");
        }
        var adapters = prepared.named_parameters().Where(p => p.name.Contains("_lora_")).Sum(p => p.parameter.numel());
        Assert.Equal(adapters, TuningSettings.TrainableParameters(prepared));
    }

    [Fact]
    public void The_defaults_leave_a_model_in_float32_with_all_weights_trained()
    {
        using var model = Peaked(Gqa);
        var all = model.parameters().Sum(p => p.numel());
        TuningSettings.Default.Prepare(model, seed: 0);
        Assert.False(model.HasLora);
        Assert.Equal("float32", TuningSettings.DtypeOf(model));
        Assert.Equal(all, TuningSettings.TrainableParameters(model));
        Assert.True(TuningSettings.Default.ApplyTo(new TrainingOptions { Objective = Objective.Nll, GradientCheckpointing = true }) is { GradientCheckpointing: false });
    }

    [Theory]
    [InlineData("--dtype: unknown weight dtype 'float16'", "float16", 0, 16, "all-linear")]
    [InlineData("--lora-rank must be 0 (no LoRA) or positive, got -1", "float32", -1, 16, "all-linear")]
    [InlineData("--lora-alpha must be positive, got 0", "float32", 8, 0, "all-linear")]
    [InlineData("--lora-alpha must be positive, got -2", "float32", 0, -2, "all-linear")]
    [InlineData("--lora-targets: unknown LoRA target module 'qkv'", "float32", 8, 16, "q_proj,qkv")]
    [InlineData("--lora-targets: LoRA needs at least one target module", "float32", 8, 16, " , ")]
    public void Bad_settings_name_their_flag(string expected, string dtype, int rank, double alpha, string targets)
    {
        var e = Assert.Throws<ArgumentException>(() => new TuningSettings { Dtype = dtype, LoraRank = rank, LoraAlpha = alpha, LoraTargets = targets }.Validate());
        Assert.StartsWith(expected, e.Message);
    }
}
