namespace BeyondNll.Grains.Tests;

/// <summary>Complete searches on a cluster of two silos.</summary>
public class SearchTests
{
    [Fact]
    public async Task A_simulated_search_completes_with_trials_spread_over_the_silos()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:2", "simulated:2");
        var study = await Studies.Started(cluster.Grains, data, Studies.Request(data, "spread", trials: 8, parallel: 4));

        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(60));

        Assert.Equal(StudyState.Completed, status.State);
        Assert.Equal(8, status.Trials.Count);
        Assert.All(status.Trials, t => Assert.Equal(TrialRunState.Completed, t.State));
        Assert.Equal("nll", status.Trials[0].Objective);
        Assert.Equal("nll", status.Baseline!.Objective);
        Assert.Equal(2, status.Trials.Select(t => t.Attempts[^1].Silo).Distinct().Count());
        Assert.Equal(status.Trials.Max(t => t.Value), status.Best!.Value);

        // A dry run: its made-up values are no answer for the backbone.
        var backbone = await cluster.Grains.GetGrain<IBackboneGrain>("micro").Get();
        Assert.Empty(backbone!.Results);
        Assert.True(status.Simulated);
    }

    [Fact]
    public async Task A_real_torch_search_completes_on_two_silos()
    {
        using var data = new TestData(pretrainSteps: 20);
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1", "cpu:1");
        var request = (Studies.Request(data, "torch", workload: "torch", trials: 3, parallel: 2) with { Metric = "nll" }).With(r => r with { Steps = 6 });
        var study = await Studies.Started(cluster.Grains, data, request);

        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(120));

        Assert.Equal(StudyState.Completed, status.State);
        Assert.All(status.Trials, t => Assert.Equal(TrialRunState.Completed, t.State));
        Assert.All(status.Trials, t => Assert.True(t.Value > 0 && double.IsFinite(t.Value!.Value), $"trial {t.Number}: {t.Value}"));
        Assert.Equal("minimize", status.Direction);
        Assert.Equal(status.Trials.Min(t => t.Value), status.Best!.Value);
        Assert.Equal(2, status.Trials.Select(t => t.Attempts[^1].Silo).Distinct().Count());

        // The backbone's answer per data set is the study's.
        var backbone = await cluster.Grains.GetGrain<IBackboneGrain>("micro").Get();
        var result = Assert.Single(backbone!.Results);
        Assert.Equal((status.Answer!.Objective, status.Answer.Value, status.Answer.LearningRate, status.Answer.NllValue, "torch"),
            (result.Objective, result.Value, result.LearningRate, result.NllValue, result.Study));
        Assert.False(result.Confirmed);
    }
}
