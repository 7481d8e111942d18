using System.Diagnostics;
using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Grains;
using Xunit.Abstractions;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// Silo processes on loopback sharing one database server, as hosts would, and the faults they meet;
/// each test once on PostgreSQL (Orleans' ADO.NET providers on the project's schema) and once on Redis.
/// One at a time: each starts its own processes, and timings on a loaded machine would blur.
/// </summary>
[Collection(Name)]
public class FaultTests(ITestOutputHelper output)
{
    public const string Name = "hosts";

    static readonly TimeSpan Finish = TimeSpan.FromSeconds(90);

    /// <summary>
    /// With --fast-failure-detection a silo is voted dead after three missed probes of at most 2 s,
    /// and the membership table is read every 2 s: a lost host is known within about 8 s.
    /// </summary>
    static readonly TimeSpan FailureDetection = TimeSpan.FromSeconds(8);

    /// <summary>The servers every fault test runs on.</summary>
    public static TheoryData<string> Stores => new() { "postgres", "redis" };

    [Theory, MemberData(nameof(Stores))]
    public async Task A_killed_silos_trials_rerun_on_the_survivor_within_failure_detection_time(string store)
    {
        // Either silo can take all four trials, so the survivor has free devices for the lost ones at once.
        await using var hosts = await Hosts.Start(output, store, ["simulated:4", "simulated:4"]);
        await hosts.StartStudy("kill", "simulated:5", trials: 8, parallel: 4);
        var running = await hosts.WaitForStudy("kill", s => s.Trials.Count(t => t.State == TrialRunState.Running) == 4, TimeSpan.FromSeconds(30));
        List<int> RunningOn(SiloProcess silo) =>
            running.Trials.Where(t => t.State == TrialRunState.Running && silo.Runs(t.Attempts[^1].Silo)).Select(t => t.Number).ToList();
        var victim = hosts.Silos.MaxBy(s => RunningOn(s).Count)!;
        var lost = RunningOn(victim);
        var finishedBefore = running.Trials.Where(t => t.State == TrialRunState.Completed).ToList();

        output.WriteLine($"{store}: killing the silo on ports {victim.SiloPort}/{victim.GatewayPort} that runs trials {string.Join(", ", lost)}");
        var watch = Stopwatch.StartNew();
        victim.Kill();
        await hosts.WaitForStudy("kill", s => lost.All(n => s.Trials[n].Attempts.Count > 1), FailureDetection + TimeSpan.FromSeconds(20));
        var rerunAfter = watch.Elapsed;
        output.WriteLine($"{store}: SIGKILL to the lost trials running on the survivor: {rerunAfter.TotalSeconds:F1} s ({lost.Count} trials)");
        Assert.True(rerunAfter < FailureDetection + TimeSpan.FromSeconds(10),
            $"the lost trials ran elsewhere only {rerunAfter.TotalSeconds:F1} s after the kill");

        var done = await hosts.WaitUntilFinished("kill", Finish);
        AssertAllCompletedOnce(done, 8);
        AssertKept(finishedBefore, done);
        foreach (var n in lost)
        {
            var trial = done.Trials[n];
            Assert.Equal(2, trial.Attempts.Count);
            Assert.True(victim.Runs(trial.Attempts[0].Silo));
            Assert.Matches("^failed: silo .* is (gone|unavailable)$", trial.Attempts[0].Outcome);
            Assert.False(victim.Runs(trial.Attempts[1].Silo));
        }
        Assert.All(done.Trials.Where(t => !lost.Contains(t.Number)), t => Assert.Single(t.Attempts));

        // `bnll search status --json` tells the same story: each attempt, its silo and why it ended.
        var json = new StringWriter();
        Assert.Equal(0, await SearchCommand.StatusAsync(hosts.Client, "kill", json: true, json, CancellationToken.None));
        var trials = JsonDocument.Parse(json.ToString()).RootElement.GetProperty("trials").EnumerateArray().ToList();
        foreach (var n in lost)
        {
            var log = trials[n].GetProperty("attempt_log").EnumerateArray().ToList();
            Assert.Equal(2, trials[n].GetProperty("attempts").GetInt32());
            Assert.True(victim.Runs(log[0].GetProperty("silo").GetString()!));
            Assert.StartsWith("failed: silo", log[0].GetProperty("outcome").GetString());
            Assert.Equal("completed", log[1].GetProperty("outcome").GetString());
            Assert.Equal(log[1].GetProperty("silo").GetString(), trials[n].GetProperty("silo").GetString());
        }
    }

    [Theory, MemberData(nameof(Stores))]
    public async Task Every_study_resumes_where_it_was_when_the_whole_cluster_restarts(string store)
    {
        await using var hosts = await Hosts.Start(output, store, ["simulated:2", "simulated:2"]);
        await hosts.StartStudy("first", "simulated:1.5", trials: 8, parallel: 2);
        await hosts.StartStudy("second", "simulated:1.5", trials: 8, parallel: 2);
        var before = new[]
        {
            await hosts.WaitForStudy("first", s => s.Trials.Count(t => t.State == TrialRunState.Completed) >= 2, TimeSpan.FromSeconds(40)),
            await hosts.WaitForStudy("second", s => s.Trials.Count(t => t.State == TrialRunState.Completed) >= 2, TimeSpan.FromSeconds(40)),
        };

        await hosts.Disconnect();
        var ports = hosts.Silos.Select(s => (s.SiloPort, s.GatewayPort)).ToList();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(hosts.Silos.Select(s => s.Stop(TimeSpan.FromSeconds(30))));
        output.WriteLine($"both silos stopped in {watch.Elapsed.TotalSeconds:F1} s");
        hosts.Silos.Clear();
        await hosts.AddSilos(["simulated:2", "simulated:2"], ports);
        await hosts.Connect();

        foreach (var earlier in before)
        {
            var after = await hosts.WaitUntilFinished(earlier.Study, Finish);
            AssertAllCompletedOnce(after, 8);
            AssertKept(earlier.Trials.Where(t => t.State == TrialRunState.Completed).ToList(), after);
        }
    }

    [Theory, MemberData(nameof(Stores))]
    public async Task Silos_and_studies_recover_from_a_database_server_restart_losing_nothing(string store)
    {
        await using var hosts = await Hosts.Start(output, store, ["simulated:2", "simulated:2"], durable: true);
        await hosts.StartStudy("outage", "simulated:1", trials: 10, parallel: 4);
        var before = await hosts.WaitForStudy("outage", s => s.Trials.Count(t => t.State == TrialRunState.Completed) >= 2, TimeSpan.FromSeconds(30));

        // Trials end while the server is away: their results must be stored once it is back.
        await hosts.Store.Stop(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(12));
        await hosts.Store.Restart();

        var done = await hosts.WaitUntilFinished("outage", Finish);
        AssertAllCompletedOnce(done, 10);
        AssertKept(before.Trials.Where(t => t.State == TrialRunState.Completed).ToList(), done);
        await hosts.WaitForActiveSilos(2);

        // What the silos hold in memory is also what the server holds: a cluster started afresh reads the same.
        await hosts.Disconnect();
        await Task.WhenAll(hosts.Silos.Select(s => s.Stop(TimeSpan.FromSeconds(30))));
        hosts.Silos.Clear();
        await hosts.AddSilos(["simulated:1"]);
        await hosts.Connect();
        var stored = await hosts.Client.GetGrain<IStudyGrain>("outage").GetStatus();
        Assert.Equal(StudyState.Completed, stored.State);
        Assert.Equal(done.Trials.Select(t => (t.Number, t.Value, t.Attempts.Count)), stored.Trials.Select(t => (t.Number, t.Value, t.Attempts.Count)));
    }

    [Theory, MemberData(nameof(Stores))]
    public async Task A_silo_joining_mid_study_adds_its_devices_to_the_studys_parallelism(string store)
    {
        await using var hosts = await Hosts.Start(output, store, ["simulated:1"]);
        await hosts.StartStudy("join", "simulated:2", trials: 8, parallel: 3);
        await hosts.WaitForStudy("join", s => s.Trials.Count(t => t.State == TrialRunState.Running) == 1, TimeSpan.FromSeconds(20));

        await hosts.AddSilos(["simulated:2"]);
        var joined = hosts.Silos[1];
        var wider = await hosts.WaitForStudy("join", s => s.Trials.Count(t => t.State == TrialRunState.Running) == 3, TimeSpan.FromSeconds(30));
        Assert.Equal(2, wider.Trials.Count(t => t.State == TrialRunState.Running && joined.Runs(t.Attempts[^1].Silo)));

        var done = await hosts.WaitUntilFinished("join", Finish);
        AssertAllCompletedOnce(done, 8);
        Assert.All(done.Trials, t => Assert.Single(t.Attempts));
    }

    [Theory, MemberData(nameof(Stores))]
    public async Task A_study_runs_on_while_no_client_is_connected(string store)
    {
        await using var hosts = await Hosts.Start(output, store, ["simulated:2"]);
        await hosts.StartStudy("unattended", "simulated:1", trials: 6, parallel: 2);
        var left = await hosts.WaitForStudy("unattended", s => s.Trials.Any(t => t.State == TrialRunState.Running), TimeSpan.FromSeconds(20));

        await hosts.Disconnect();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await hosts.Connect();

        var back = await hosts.Client.GetGrain<IStudyGrain>("unattended").GetStatus();
        Assert.True(back.Trials.Count(t => t.State == TrialRunState.Completed) > left.Trials.Count(t => t.State == TrialRunState.Completed) + 1,
            "the study made no progress while the client was away");
        var done = await hosts.WaitUntilFinished("unattended", Finish);
        AssertAllCompletedOnce(done, 6);
        Assert.All(done.Trials, t => Assert.Single(t.Attempts));
    }

    /// <summary>The study finished with its whole budget, each trial once: one completed attempt apiece.</summary>
    static void AssertAllCompletedOnce(StudyStatus status, int trials)
    {
        Assert.Equal(StudyState.Completed, status.State);
        Assert.Equal(Enumerable.Range(0, trials), status.Trials.Select(t => t.Number));
        Assert.All(status.Trials, t =>
        {
            Assert.Equal(TrialRunState.Completed, t.State);
            Assert.NotNull(t.Value);
            Assert.Single(t.Attempts, a => a.Outcome == "completed");
            Assert.InRange(t.Attempts.Count, 1, 3);
        });
    }

    /// <summary>Trials finished before the fault are as they were: same objective, value and attempts.</summary>
    static void AssertKept(IReadOnlyList<TrialView> finishedBefore, StudyStatus after)
    {
        foreach (var done in finishedBefore)
        {
            var same = after.Trials[done.Number];
            Assert.Equal((done.Objective, done.Value, done.Attempts.Count), (same.Objective, same.Value, same.Attempts.Count));
        }
    }
}

[CollectionDefinition(FaultTests.Name, DisableParallelization = true)]
public sealed class HostsCollection;
