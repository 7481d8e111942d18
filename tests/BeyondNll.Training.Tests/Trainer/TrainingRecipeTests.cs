using System.Text.Json.Nodes;
using BeyondNll.Training.Model;
using BeyondNll.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Trainer;

/// <summary>The one record of how a run trains: checked with the flag named, applied to a model, its fields set by name.</summary>
public class TrainingRecipeTests
{
    [Fact]
    public void Prepare_converts_the_weights_and_adds_seeded_adapters()
    {
        var recipe = new TrainingRecipe { Dtype = "bf16", LoraRank = 4, LoraAlpha = 8, LoraTargets = "q_proj, down_proj", Seed = 7 };
        using var prepared = Peaked(Gqa);
        recipe.Prepare(prepared);

        // The same steps by hand.
        using var byHand = Peaked(Gqa);
        WeightPrecision.Apply(byHand, ScalarType.BFloat16);
        byHand.EnableLora(new LoraOptions(4, 8, ["q_proj", "down_proj"]), new Generator(7));

        Assert.True(prepared.HasLora);
        Assert.Equal("bfloat16", TrainingRecipe.DtypeOf(prepared));
        var expected = byHand.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in prepared.named_parameters())
        {
            Assert.Equal(expected[name].requires_grad, p.requires_grad);
            Assert.True(p.equal(expected[name]).all().item<bool>(), $"{name} differs");
        }
        var adapters = prepared.named_parameters().Where(p => p.name.Contains("_lora_")).Sum(p => p.parameter.numel());
        Assert.Equal(adapters, TrainingRecipe.TrainableParameters(prepared));
    }

    [Fact]
    public void The_defaults_leave_a_model_in_float32_with_all_weights_trained()
    {
        using var model = Peaked(Gqa);
        var all = model.parameters().Sum(p => p.numel());
        TrainingRecipe.Default.Prepare(model);
        Assert.False(model.HasLora);
        Assert.Equal("float32", TrainingRecipe.DtypeOf(model));
        Assert.Equal(all, TrainingRecipe.TrainableParameters(model));
    }

    [Theory]
    [InlineData("--dtype: unknown weight dtype 'float16'", "float16", 0, 16, "all-linear")]
    [InlineData("--lora-rank must be 0 (no LoRA) or positive, got -1", "float32", -1, 16, "all-linear")]
    [InlineData("--lora-alpha must be positive, got 0", "float32", 8, 0, "all-linear")]
    [InlineData("--lora-alpha must be positive, got -2", "float32", 0, -2, "all-linear")]
    [InlineData("--lora-targets: unknown LoRA target module 'qkv'", "float32", 8, 16, "q_proj,qkv")]
    [InlineData("--lora-targets: LoRA needs at least one target module", "float32", 8, 16, " , ")]
    public void Bad_tuning_settings_name_their_flag(string expected, string dtype, int rank, double alpha, string targets)
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingRecipe { Dtype = dtype, LoraRank = rank, LoraAlpha = alpha, LoraTargets = targets }.Validate());
        Assert.StartsWith(expected, e.Message);
    }

    public static TheoryData<TrainingRecipe, string> BadRecipes => new()
    {
        { new TrainingRecipe { Objective = "power:x" }, "--objective:" },
        { new TrainingRecipe { LearningRate = 0 }, "--lr must be positive, got 0" },
        { new TrainingRecipe { LearningRate = double.NaN }, "--lr must be positive, got NaN" },
        { new TrainingRecipe { Steps = 0 }, "--steps must be at least 1, got 0" },
        { new TrainingRecipe { BatchSize = -3 }, "--batch-size must be at least 1, got -3" },
        { new TrainingRecipe { MicroBatchSize = -1 }, "--micro-batch-size must be 0 (the whole batch) or positive, got -1" },
        { new TrainingRecipe { MaxLength = 1 }, "--max-length must be at least 2, got 1" },
        { new TrainingRecipe { WarmupFraction = 1 }, "--warmup must be in [0, 1), got 1" },
        { new TrainingRecipe { WeightDecay = -0.1 }, "--weight-decay must not be negative, got -0.1" },
        { new TrainingRecipe { Beta2 = 1 }, "--beta2 must be in [0, 1), got 1" },
        { new TrainingRecipe { GradientClip = 0 }, "--gradient-clip must be positive, got 0" },
    };

    [Theory, MemberData(nameof(BadRecipes))]
    public void Bad_values_name_their_flag(TrainingRecipe recipe, string expected)
    {
        var e = Assert.Throws<ArgumentException>(recipe.Validate);
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Fields_are_named_in_snake_case_and_include_every_property()
    {
        Assert.Equal(typeof(TrainingRecipe).GetProperties().Count(p => p.CanWrite), RecipeFields.Names.Count);
        Assert.Contains("lr", RecipeFields.Names);
        Assert.Contains("warmup", RecipeFields.Names);
        Assert.Contains("batch_size", RecipeFields.Names);
        Assert.Contains("weight_decay", RecipeFields.Names);
        Assert.Contains("lora_rank", RecipeFields.Names);
        Assert.Contains("gradient_checkpointing", RecipeFields.Names);
        Assert.Equal(0.0001, RecipeFields.ToJson(TrainingRecipe.Default)["lr"]!.GetValue<double>());
    }

    [Fact]
    public void Fields_set_by_name_change_only_those_fields()
    {
        var base_ = new TrainingRecipe { Objective = "nll", Steps = 50, Seed = 3 };
        var changed = RecipeFields.With(base_, new Dictionary<string, JsonNode?>
        {
            ["lr"] = RecipeFields.Number(3e-4), ["batch_size"] = RecipeFields.Number(8), ["dtype"] = "bfloat16",
            ["gradient_checkpointing"] = true, ["objective"] = "power:10",
        });
        Assert.Equal(base_ with { LearningRate = 3e-4, BatchSize = 8, Dtype = "bfloat16", GradientCheckpointing = true, Objective = "power:10" }, changed);
    }

    [Fact]
    public void Setting_an_unknown_field_or_a_value_of_the_wrong_kind_names_the_field()
    {
        var unknown = Assert.Throws<ArgumentException>(() => RecipeFields.With(TrainingRecipe.Default, [new("dropout", RecipeFields.Number(0.1))]));
        Assert.StartsWith("'dropout' is no training recipe field; the fields are objective, lr, steps", unknown.Message);
        var wrongKind = Assert.Throws<ArgumentException>(() => RecipeFields.With(TrainingRecipe.Default, [new("batch_size", RecipeFields.Number(8.5))]));
        Assert.StartsWith("recipe field batch_size cannot take that value", wrongKind.Message);
    }
}
