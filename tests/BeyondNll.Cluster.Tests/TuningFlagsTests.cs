using System.CommandLine;
using BeyondNll.Client.Commands;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Cluster.Tests;

/// <summary>`bnll search start` takes the recipe flags of `bnll train`: the same names and help, read into a recipe the same way.</summary>
public class TuningFlagsTests
{
    static readonly string[] Flags =
        ["--steps", "--batch-size", "--max-length", "--dtype", "--gradient-checkpointing", "--lora-rank", "--lora-alpha", "--lora-targets", "--set"];

    [Fact]
    public void Search_start_and_train_both_have_the_recipe_flags_with_the_same_help()
    {
        var start = SearchStartCommand.Create().Options.ToDictionary(o => o.Name);
        var train = TrainCommand.Create().Options.ToDictionary(o => o.Name);
        foreach (var flag in Flags)
        {
            Assert.True(start.ContainsKey(flag), $"search start lacks {flag}");
            Assert.Equal(train[flag].Description, start[flag].Description);
        }
        Assert.True(start.ContainsKey("--lr") && train.ContainsKey("--lr"));
    }

    static (RecipeCommandLine Flags, Command Command) Flagged()
    {
        var flags = new RecipeCommandLine(TrainingRecipe.Default, "lr");
        var command = new Command("x");
        flags.AddTo(command);
        return (flags, command);
    }

    [Fact]
    public void The_flags_read_into_the_recipe_and_default_to_float32_full_fine_tuning()
    {
        var (flags, command) = Flagged();
        var given = flags.Read(command.Parse(["--dtype", "bf16", "--gradient-checkpointing", "--lora-rank", "16", "--lora-alpha", "32", "--lora-targets", "q_proj,v_proj", "--steps", "7"]));
        Assert.Equal(TrainingRecipe.Default with { Dtype = "bf16", GradientCheckpointing = true, LoraRank = 16, LoraAlpha = 32, LoraTargets = "q_proj,v_proj", Steps = 7 }, given);
        Assert.Equal(TrainingRecipe.Default, flags.Read(command.Parse([])));

        var e = Assert.Throws<ArgumentException>(() => flags.Read(command.Parse(["--lora-rank", "-1"])));
        Assert.StartsWith("--lora-rank", e.Message);
    }

    [Fact]
    public void Set_reaches_any_recipe_field_by_its_name()
    {
        var (flags, command) = Flagged();
        var recipe = flags.Read(command.Parse(["--set", "warmup=0.05", "--set", "weight_decay=0", "--set", "dtype=bfloat16", "--set", "beta2=0.99"]));
        Assert.Equal(TrainingRecipe.Default with { WarmupFraction = 0.05, WeightDecay = 0, Dtype = "bfloat16", Beta2 = 0.99 }, recipe);

        Assert.StartsWith("--set: 'dropout' is no training recipe field", Assert.Throws<ArgumentException>(() => flags.Read(command.Parse(["--set", "dropout=0.1"]))).Message);
        Assert.StartsWith("--set 'warmup' is not FIELD=VALUE", Assert.Throws<ArgumentException>(() => flags.Read(command.Parse(["--set", "warmup"]))).Message);
        Assert.StartsWith("--warmup must be in [0, 1)", Assert.Throws<ArgumentException>(() => flags.Read(command.Parse(["--set", "warmup=1.5"]))).Message);
        Assert.StartsWith("--set: recipe field batch_size cannot take that value", Assert.Throws<ArgumentException>(() => flags.Read(command.Parse(["--set", "batch_size=big"]))).Message);
    }
}
