using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using BeyondNll.Client.Commands;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Trainer;
using TorchSharp;
using Xunit.Abstractions;

namespace BeyondNll.Grains.Tests;

/// <summary>
/// Torch attempts in worker processes, for real: a worker killed mid-trial (its silo lives, the
/// attempt resumes from its checkpoint), a cancelled study's worker, a worker past its memory limit.
/// </summary>
public class WorkerTests(ITestOutputHelper output)
{
    /// <summary>One NLL trial of the micro backbone with checkpoints every <paramref name="every"/> steps.</summary>
    public static StudyRequest Torch(TestData data, string name, int steps, int every, int trials = 1) =>
        (Studies.Request(data, name, workload: "torch", trials: trials, parallel: 1) with { Metric = "nll", Evaluations = 2 })
        .With(r => r with { Steps = steps, CheckpointEvery = every });

    public static string TrialFolder(TestData data, string study, int trial) =>
        Path.Combine(data.ClusterData, "artifacts", study, $"trial-{trial:D4}");

    public static bool HasCheckpoint(TestData data, string study, int trial)
    {
        var folder = Path.Combine(TrialFolder(data, study, trial), "checkpoints");
        return Directory.Exists(folder) && Directory.EnumerateDirectories(folder, "step-*").Any(d => !d.Contains(".tmp-"));
    }

    public static bool Exited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    /// <summary>"worker 123 was killed (...) at step 57 (last checkpoint: step 40)": the step it had reached.</summary>
    public static readonly Regex KilledAt = new(@"^failed: worker \d+ was killed \(SIGKILL[^)]*\) at step (\d+)");

    [Fact]
    public async Task A_killed_worker_is_rerun_from_its_checkpoint_on_the_living_silo_and_ends_as_an_uninterrupted_run()
    {
        using var data = new TestData(pretrainSteps: 20);
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1");
        const int every = 30;
        var study = await Studies.Started(cluster.Grains, data, Torch(data, "killed", steps: 300, every: every));
        var running = await Studies.WaitFor(study, s => s.Trials.Count == 1 && s.Trials[0].Attempts[^1].Pid is not null
            && HasCheckpoint(data, "killed", 0), TimeSpan.FromSeconds(120));
        var pid = running.Trials[0].Attempts[0].Pid!.Value;
        using (var worker = Process.GetProcessById(pid)) worker.Kill(); // SIGKILL

        var done = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(240));
        Assert.Equal(StudyState.Completed, done.State);
        var trial = Assert.Single(done.Trials);
        Assert.Equal(2, trial.Attempts.Count);
        var killed = KilledAt.Match(trial.Attempts[0].Outcome);
        Assert.True(killed.Success, trial.Attempts[0].Outcome);
        var resumed = trial.Attempts[1].ResumedFromStep;
        var lost = int.Parse(killed.Groups[1].Value) - resumed;
        output.WriteLine($"worker {pid} killed at step {killed.Groups[1].Value}; attempt 2 resumed from step {resumed}: {lost} steps lost (interval {every})");
        Assert.True(resumed > 0 && resumed % every == 0, $"resumed from {resumed}");
        Assert.InRange(lost, 0, every);
        Assert.Equal(trial.Attempts[0].Silo, trial.Attempts[1].Silo); // the silo lived on
        Assert.NotEqual(pid, trial.Attempts[1].Pid);

        // The resumed run ends as a run never stopped: the same validation NLL, to the last bit.
        torch.set_num_threads(1);
        var whole = TrainingRun.Run(trial.Recipe, new RunInputs(data.Backbone, data.Train, data.Val, new SftFieldMap("prompt", "response"), AnswerFormat.Parse("whole")),
            new RunHooks { Metric = StudyMetric.Parse("nll"), Evaluations = 2 });
        Assert.Equal(whole.Value, trial.Value);

        // Status JSON: each attempt's resumed step and worker, and the trial's curve.
        var json = new StringWriter();
        await SearchCommand.StatusAsync(cluster.Grains, "killed", json: true, json, CancellationToken.None);
        var element = JsonDocument.Parse(json.ToString()).RootElement.GetProperty("trials")[0];
        var log = element.GetProperty("attempt_log");
        Assert.Equal([0, resumed], log.EnumerateArray().Select(a => a.GetProperty("resumed_from_step").GetInt32()));
        Assert.Equal(pid, log[0].GetProperty("pid").GetInt32());
        var curve = element.GetProperty("curve").EnumerateArray().ToList();
        Assert.Equal(300, curve[^1].GetProperty("step").GetInt32());
        Assert.True(curve.All(p => p.GetProperty("train_loss").GetDouble() > 0));
        Assert.Contains(curve, p => p.GetProperty("step").GetInt32() == 150 && p.GetProperty("value").ValueKind == JsonValueKind.Number);

        // The logs tell it: the kill, then the resumption.
        var logs = new StringWriter();
        Assert.Equal(0, await SearchLogsCommand.LogsAsync(cluster.Grains, "killed", 0, follow: false, logs, CancellationToken.None));
        var text = logs.ToString();
        Assert.Contains("== trial 0 attempt 1", text);
        Assert.Contains($"worker {pid} was killed", text);
        Assert.Contains($"resumed from the checkpoint of step {resumed}", text);

        // The trial ended: its checkpoints go, its model stays (it is the study's winner).
        var folder = TrialFolder(data, "killed", 0);
        await Studies.WaitFor(study, _ => !Directory.Exists(Path.Combine(folder, "checkpoints")), TimeSpan.FromSeconds(20));
        Assert.True(File.Exists(Path.Combine(folder, "model", "model.safetensors")));
    }

    [Fact]
    public async Task Cancelling_a_study_kills_its_workers()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1");
        var study = await Studies.Started(cluster.Grains, data, Torch(data, "stop", steps: 1_000_000, every: 1000));
        var running = await Studies.WaitFor(study, s => s.Trials.Count == 1 && s.Trials[0].Step > 0 && s.Trials[0].Attempts[^1].Pid is not null,
            TimeSpan.FromSeconds(120));
        var pid = running.Trials[0].Attempts[0].Pid!.Value;
        Assert.False(Exited(pid));

        await study.Cancel();
        var watch = Stopwatch.StartNew();
        while (!Exited(pid))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"worker {pid} still runs 10 s after the cancel");
            await Task.Delay(100);
        }
        var after = await study.GetStatus();
        Assert.Equal(StudyState.Cancelled, after.State);
        Assert.Equal(TrialRunState.Cancelled, after.Trials[0].State);
    }

    [Fact]
    public async Task A_worker_past_its_memory_limit_fails_as_out_of_memory_naming_what_uses_less_and_is_not_retried()
    {
        using var data = new TestData();
        // The stand-in for a device that runs out: a limit the worker passes as soon as libtorch loads.
        await using var cluster = await TestCluster.Start(data.ClusterData, o => o.WorkerMemoryMb = 48, "cpu:1");
        var study = await Studies.Started(cluster.Grains, data, Torch(data, "oom", steps: 50, every: 10));

        var done = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(120));
        var trial = Assert.Single(done.Trials);
        Assert.Equal(TrialRunState.Failed, trial.State);
        Assert.Single(trial.Attempts);
        Assert.Matches("^out of memory: worker \\d+ used \\d+ MiB, past the silo's limit of 48 MiB", trial.Message);
        Assert.Contains("not retried with the same recipe", trial.Message);
        Assert.Contains("batch_size (now 8)", trial.Message);
        Assert.Contains("gradient_checkpointing=true", trial.Message);
        Assert.Equal(StudyState.Failed, done.State);
    }

    [Fact]
    public async Task A_trial_in_a_worker_scores_the_held_out_test_data_and_brings_its_value_back()
    {
        using var data = new TestData();
        var test = Path.Combine(data.Root, "data", "test.jsonl");
        File.Copy(data.Val, test);
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1");
        var study = await Studies.Started(cluster.Grains, data, Torch(data, "held-out", steps: 6, every: 0) with { TestPath = test });

        var done = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(120));
        var trial = Assert.Single(done.Trials, t => t.Role == TrialRoles.Search);
        Assert.Equal(TrialRunState.Completed, trial.State);
        // Test holds the validation examples: the worker scored them with the study's metric, as it scored validation.
        Assert.NotNull(trial.TestValue);
        Assert.Equal(trial.Value!.Value, trial.TestValue!.Value, 6);
    }
}
