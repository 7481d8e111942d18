using BeyondNll.Client.Commands;

namespace BeyondNll.Grains.Tests;

/// <summary>The time limit, the logs of in-silo attempts, and what cannot be exported.</summary>
public class AttemptLimitsTests
{
    [Fact]
    public async Task An_attempt_past_the_time_limit_is_stopped_and_its_trial_fails_without_a_retry()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:1");
        var request = Studies.Request(data, "slow", "simulated:30", trials: 1, parallel: 1) with { TrialTimeLimit = 1 };
        var study = await Studies.Started(cluster.Grains, data, request);

        var done = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(20));
        var trial = Assert.Single(done.Trials);
        Assert.Equal(TrialRunState.Failed, trial.State);
        Assert.Equal("time limit of 1 s reached", trial.Message);
        Assert.Single(trial.Attempts);
    }

    [Fact]
    public async Task Logs_follow_a_trial_to_its_end_and_a_missing_trial_is_named()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:1");
        var study = await Studies.Started(cluster.Grains, data, Studies.Request(data, "logged", "simulated:2", trials: 1, parallel: 1));
        await Studies.WaitFor(study, s => s.Trials.Count == 1, TimeSpan.FromSeconds(10));

        var output = new StringWriter();
        Assert.Equal(0, await SearchLogsCommand.LogsAsync(cluster.Grains, "logged", 0, follow: true, output, CancellationToken.None, TimeSpan.FromMilliseconds(200)));
        var text = output.ToString();
        Assert.Contains("== trial 0 attempt 1 on ", text);
        Assert.Contains("[silo] attempt 1 of trial 0", text);
        Assert.Contains("[silo] ended completed: completed", text); // followed to the end
        Assert.Equal(TrialRunState.Completed, (await study.GetStatus()).Trials[0].State);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => SearchLogsCommand.LogsAsync(cluster.Grains, "logged", 3, false, output, CancellationToken.None));
        Assert.Equal("study logged has no trial 3 (its trials are 0 to 0)", e.Message);
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => SearchLogsCommand.LogsAsync(cluster.Grains, "nope", 0, false, output, CancellationToken.None));
        Assert.Contains("no study named nope", missing.Message);
    }

    [Fact]
    public async Task A_simulated_study_has_no_model_to_export()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:1");
        var study = await Studies.Started(cluster.Grains, data, Studies.Request(data, "dry", "simulated:0.1", trials: 1, parallel: 1));
        var done = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(20));

        var e = await Assert.ThrowsAsync<ArgumentException>(() => ModelExport.WriteAsync(cluster.Grains, done, Path.Combine(data.Root, "out"), CancellationToken.None));
        Assert.Contains("a simulated study trains no model", e.Message);
        Assert.False(Directory.Exists(Path.Combine(data.Root, "out")));
    }
}
