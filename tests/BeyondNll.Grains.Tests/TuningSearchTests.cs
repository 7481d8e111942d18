using BeyondNll.Grains.Workloads;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Model;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Grains.Tests;

/// <summary>
/// Searches with the real-backbone settings of `bnll train` (LoRA, bfloat16, gradient checkpointing):
/// every trial, the confirmation's included, trains with them, as its workload reports.
/// </summary>
public class TuningSearchTests
{
    [Fact]
    public async Task A_lora_search_trains_only_the_adapters_in_every_trial_and_leaves_the_backbone_as_it_was()
    {
        using var data = new TestData(pretrainSteps: 20);
        var before = FileFingerprints.Of(data.Backbone);
        var (all, adapters) = ParameterCounts(data.Backbone, new LoraOptions(4, 8, [LoraOptions.AllLinear]));
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1", "cpu:1");
        var request = (Studies.Request(data, "lora", workload: "torch", trials: 3, parallel: 2) with { Metric = "nll", Confirm = 1, ConfirmSeeds = 2 })
            .With(r => r with { Steps = 6, LoraRank = 4, LoraAlpha = 8 });
        var study = await Studies.Started(cluster.Grains, data, request);

        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(180));

        Assert.Equal(StudyState.Completed, status.State);
        Assert.Contains(status.Trials, t => t.Role == TrialRoles.Confirm);
        Assert.All(status.Trials, t =>
        {
            Assert.Equal(TrialRunState.Completed, t.State);
            Assert.True(t.Value > 0 && double.IsFinite(t.Value!.Value), $"trial {t.Number}: {t.Value}");
            Assert.Equal(adapters, t.TrainableParameters);
            Assert.Equal("float32", t.WeightDtype);
        });
        Assert.True(adapters < all / 4, $"{adapters} adapter parameters of {all}");
        Assert.Equal((4, 8.0, "all-linear", "float32", false), (status.Recipe.LoraRank, status.Recipe.LoraAlpha, status.Recipe.LoraTargets, status.Recipe.Dtype, status.Recipe.GradientCheckpointing));
        Assert.All(status.Trials, t => Assert.Equal((4, 8.0), (t.Recipe.LoraRank, t.Recipe.LoraAlpha)));
        // The adapters trained in memory only: the backbone's files are byte for byte the same.
        Assert.Equal(before, FileFingerprints.Of(data.Backbone));
    }

    [Fact]
    public async Task A_bfloat16_checkpointed_search_trains_all_weights_in_bfloat16()
    {
        using var data = new TestData(pretrainSteps: 20);
        var (all, _) = ParameterCounts(data.Backbone, null);
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1");
        var request = (Studies.Request(data, "bf16", workload: "torch", trials: 2, parallel: 1) with { Metric = "nll" })
            .With(r => r with { Steps = 4, Dtype = "bfloat16", GradientCheckpointing = true });
        var study = await Studies.Started(cluster.Grains, data, request);

        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(180));

        Assert.Equal(StudyState.Completed, status.State);
        Assert.All(status.Trials, t =>
        {
            Assert.Equal(TrialRunState.Completed, t.State);
            Assert.True(t.Value > 0 && double.IsFinite(t.Value!.Value), $"trial {t.Number}: {t.Value}");
            Assert.Equal("bfloat16", t.WeightDtype);
            Assert.Equal(all, t.TrainableParameters);
        });
        Assert.Equal(("bfloat16", true, 0), (status.Recipe.Dtype, status.Recipe.GradientCheckpointing, status.Recipe.LoraRank));
    }

    /// <summary>All parameters of the backbone, and those LoRA with <paramref name="lora"/> would train.</summary>
    static (long All, long Adapters) ParameterCounts(string backbone, LoraOptions? lora)
    {
        using var loaded = Backbone.Load(backbone);
        var all = TrainingRecipe.TrainableParameters(loaded.Model);
        if (lora is null) return (all, 0);
        loaded.Model.EnableLora(lora);
        return (all, TrainingRecipe.TrainableParameters(loaded.Model));
    }
}
