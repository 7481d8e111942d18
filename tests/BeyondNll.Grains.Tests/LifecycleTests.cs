namespace BeyondNll.Grains.Tests;

/// <summary>Studies stopped, resumed, cancelled, sharing devices, and losing a silo.</summary>
public class LifecycleTests
{
    [Fact]
    public async Task A_study_stopped_half_way_resumes_on_a_restarted_cluster_keeping_finished_trials()
    {
        using var data = new TestData();
        StudyStatus before;
        await using (var first = await TestCluster.Start(data.ClusterData, "simulated:2"))
        {
            var study = await Studies.Started(first.Grains, data, Studies.Request(data, "resume", "simulated:0.5", trials: 8, parallel: 2));
            before = await Studies.WaitFor(study, s => s.Trials.Count(t => t.State == TrialRunState.Completed) >= 3, TimeSpan.FromSeconds(60));
        }

        await using var second = await TestCluster.Start(data.ClusterData, "simulated:2");
        var resumed = second.Grains.GetGrain<IStudyGrain>("resume");
        var after = await Studies.WaitUntilFinished(resumed, TimeSpan.FromSeconds(60));

        Assert.Equal(StudyState.Completed, after.State);
        Assert.Equal(8, after.Trials.Count);
        Assert.Equal(Enumerable.Range(0, 8), after.Trials.Select(t => t.Number));
        Assert.All(after.Trials, t => Assert.Equal(TrialRunState.Completed, t.State));
        foreach (var done in before.Trials.Where(t => t.State == TrialRunState.Completed))
        {
            // Finished before the stop: kept as they were, never run again.
            var same = after.Trials[done.Number];
            Assert.Equal(done.Value, same.Value);
            Assert.Equal(done.Objective, same.Objective);
            Assert.Equal(done.Attempts.Count, same.Attempts.Count);
        }
        // Attempts cut off by the stop were rerun as new attempts, each one recorded; only one completed.
        Assert.Contains(after.Trials, t => t.Attempts.Count > 1);
        Assert.All(after.Trials, t => Assert.Single(t.Attempts, a => a.Outcome == "completed"));
    }

    [Fact]
    public async Task Cancel_stops_running_trials_within_seconds_and_frees_the_devices()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:2", "simulated:1");
        var study = await Studies.Started(cluster.Grains, data, Studies.Request(data, "cancel", "simulated:30", trials: 6, parallel: 3));
        await Studies.WaitFor(study, s => s.Trials.Count(t => t.State == TrialRunState.Running) == 3, TimeSpan.FromSeconds(20));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var cancelled = await study.Cancel();
        Assert.Equal(StudyState.Cancelled, cancelled.State);
        Assert.All(cancelled.Trials, t => Assert.Equal(TrialRunState.Cancelled, t.State));

        async Task<bool> AllFree()
        {
            foreach (var silo in cluster.Cluster.Silos)
            {
                var devices = await cluster.Grains.GetGrain<IDeviceHostGrain>(silo.SiloAddress.ToParsableString()).GetDevices();
                if (devices.Any(d => d.Busy)) return false;
            }
            return true;
        }
        while (!await AllFree())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "devices still busy 10 s after cancel");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Two_studies_share_the_devices_without_starving_one()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:2");
        var a = await Studies.Started(cluster.Grains, data, Studies.Request(data, "share-a", "simulated:0.3", trials: 10, parallel: 4));
        var b = await Studies.Started(cluster.Grains, data, Studies.Request(data, "share-b", "simulated:0.3", trials: 10, parallel: 4));

        var doneA = await Studies.WaitUntilFinished(a, TimeSpan.FromSeconds(60));
        var doneB = await Studies.WaitUntilFinished(b, TimeSpan.FromSeconds(60));
        Assert.Equal(StudyState.Completed, doneA.State);
        Assert.Equal(StudyState.Completed, doneB.State);

        // share-a started first and could keep both devices to itself; it must not: share-b
        // finishes a good part of its trials while share-a still runs.
        var lastOfA = doneA.Trials.Max(t => t.Attempts[^1].Ended!.Value);
        var bBeforeThat = doneB.Trials.Count(t => t.Attempts[^1].Ended!.Value < lastOfA);
        Assert.True(bBeforeThat >= 4, $"share-b finished {bBeforeThat} of its trials before share-a's last one");
    }

    [Fact]
    public async Task A_killed_silos_attempts_rerun_on_the_survivor_and_the_study_finishes()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:2", "simulated:2");
        var study = await Studies.Started(cluster.Grains, data, Studies.Request(data, "kill", "simulated:3", trials: 6, parallel: 4));
        var running = await Studies.WaitFor(study, s => s.Trials.Count(t => t.State == TrialRunState.Running) == 4, TimeSpan.FromSeconds(20));

        // The killed silo runs trials, and may host the study too: either way the study must finish.
        var victim = cluster.Cluster.Silos.First(s => running.Trials.Any(t => t.State == TrialRunState.Running && t.Attempts[^1].Silo == s.SiloAddress.ToParsableString()));
        await cluster.Cluster.KillSiloAsync(victim);
        await cluster.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        var after = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(90));
        Assert.Equal(StudyState.Completed, after.State);
        Assert.Equal(6, after.Trials.Count);
        Assert.All(after.Trials, t => Assert.Equal(TrialRunState.Completed, t.State));
        var victimAddress = victim.SiloAddress.ToParsableString();
        var rerun = after.Trials.Where(t => t.Attempts.Any(a => a.Silo == victimAddress && a.Outcome != "completed")).ToList();
        Assert.NotEmpty(rerun);
        Assert.All(rerun, t =>
        {
            Assert.True(t.Attempts.Count >= 2);
            var lost = t.Attempts.First(a => a.Silo == victimAddress && a.Outcome != "completed").Outcome;
            Assert.Matches($"silo .* is (gone|unavailable)", lost);
            Assert.NotEqual(victimAddress, t.Attempts[^1].Silo);
            Assert.Single(t.Attempts, a => a.Outcome == "completed");
        });
    }
}

/// <summary>How attempts end when their inputs or their silo change under them.</summary>
public class AttemptTests
{
    [Fact]
    public async Task A_host_whose_data_differs_from_the_studys_refuses_to_train()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:1");
        var study = await Studies.Started(cluster.Grains, data, Studies.Request(data, "hash", "simulated:1", trials: 3, parallel: 1));
        await Studies.WaitFor(study, s => s.Trials.Count == 1 && s.Trials[0].State == TrialRunState.Running, TimeSpan.FromSeconds(10));

        // The data changes after the study recorded its fingerprint.
        await File.AppendAllTextAsync(data.Train, "{\"prompt\":\"9+9=\",\"response\":\"18\"}\n");

        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(30));
        var refused = status.Trials.Where(t => t.State == TrialRunState.Failed).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, t =>
        {
            Assert.Contains("differs from the study's copy", t.Message);
            Assert.Single(t.Attempts); // not a transient fault: no rerun on the same data
        });
    }

    [Fact]
    public async Task A_silo_shut_down_cleanly_hands_its_attempts_back_for_a_rerun()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:2", "simulated:2");
        var study = await Studies.Started(cluster.Grains, data, Studies.Request(data, "handback", "simulated:3", trials: 4, parallel: 4));
        var running = await Studies.WaitFor(study, s => s.Trials.Count(t => t.State == TrialRunState.Running) == 4, TimeSpan.FromSeconds(20));

        var leaving = cluster.Cluster.Silos.Last();
        await cluster.Cluster.StopSiloAsync(leaving);

        var after = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(60));
        Assert.Equal(StudyState.Completed, after.State);
        Assert.All(after.Trials, t => Assert.Equal(TrialRunState.Completed, t.State));
        var address = leaving.SiloAddress.ToParsableString();
        var handedBack = after.Trials.Where(t => t.Attempts.Any(a => a.Silo == address)).ToList();
        Assert.NotEmpty(handedBack);
        Assert.All(handedBack, t =>
        {
            Assert.Equal(2, t.Attempts.Count);
            Assert.NotEqual(address, t.Attempts[^1].Silo);
        });
    }
}
