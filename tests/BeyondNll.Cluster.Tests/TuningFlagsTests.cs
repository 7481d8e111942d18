using System.CommandLine;
using BeyondNll.Client.Commands;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Cluster.Tests;

/// <summary>`bnll search start` takes the real-backbone flags of `bnll train`: the same names, read the same way.</summary>
public class TuningFlagsTests
{
    static readonly string[] Flags = ["--dtype", "--gradient-checkpointing", "--lora-rank", "--lora-alpha", "--lora-targets"];

    [Fact]
    public void Search_start_and_train_both_have_the_five_flags_with_the_same_help()
    {
        var start = SearchStartCommand.Create().Options.ToDictionary(o => o.Name);
        var train = TrainCommand.Create().Options.ToDictionary(o => o.Name);
        foreach (var flag in Flags)
        {
            Assert.True(start.ContainsKey(flag), $"search start lacks {flag}");
            Assert.Equal(train[flag].Description, start[flag].Description);
        }
    }

    [Fact]
    public void The_flags_read_into_the_settings_and_default_to_float32_full_fine_tuning()
    {
        var tuning = new TuningCommandLine();
        var command = new Command("x");
        tuning.AddTo(command);

        var given = tuning.Read(command.Parse(["--dtype", "bf16", "--gradient-checkpointing", "--lora-rank", "16", "--lora-alpha", "32", "--lora-targets", "q_proj,v_proj"]));
        Assert.Equal(new TuningSettings { Dtype = "bf16", GradientCheckpointing = true, LoraRank = 16, LoraAlpha = 32, LoraTargets = "q_proj,v_proj" }, given);
        Assert.Equal(TuningSettings.Default, tuning.Read(command.Parse([])));

        var e = Assert.Throws<ArgumentException>(() => tuning.Read(command.Parse(["--lora-rank", "-1"])));
        Assert.StartsWith("--lora-rank", e.Message);
    }
}
