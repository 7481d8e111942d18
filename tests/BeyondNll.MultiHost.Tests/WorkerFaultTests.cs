using System.Globalization;
using System.Text.RegularExpressions;
using BeyondNll.Grains;
using BeyondNll.Grains.Tests;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Trainer;
using TorchSharp;
using Xunit.Abstractions;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// A torch trial on silo processes that share an artifact folder (the silos' --artifacts): the silo
/// running it is killed mid-trial, its worker goes with it, and the attempt is rerun on the other silo
/// from the trial's newest checkpoint, ending as a run never stopped. And the silo's worker settings,
/// checked as it starts.
/// </summary>
[Collection(FaultTests.Name)]
public class WorkerFaultTests(ITestOutputHelper output)
{
    const int Steps = 300, Every = 30;

    /// <summary>A worker's log line of its progress: "HH:mm:ss.fff step 57/300 loss 1.2345".</summary>
    static readonly Regex StepLine = new(@"^\S+ step (\d+)/\d+ loss ", RegexOptions.Multiline);

    /// <summary>True once the process is gone or a zombie: a worker whose silo died has no parent left to reap it.</summary>
    static bool Exited(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is "Z" or "X";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    [Fact]
    public async Task A_killed_silos_attempt_resumes_its_checkpoint_on_the_other_silo_and_ends_as_an_uninterrupted_run()
    {
        var artifacts = Path.Combine(Path.GetTempPath(), "bnll-tests", "shared-artifacts-" + Guid.NewGuid().ToString("N"));
        try
        {
            // One thread per worker on both silos: the in-process run below must do the same arithmetic.
            await using var hosts = await Hosts.Start(output, "redis", ["cpu:1", "cpu:1"],
                flags: ["--artifacts", artifacts, "--checkpoint-every", Every.ToString(CultureInfo.InvariantCulture), "--threads-per-slot", "1"]);
            var request = (Grains.Tests.Studies.Request(hosts.Data, "moved", "torch", trials: 1, parallel: 1) with { Metric = "nll" })
                .With(r => r with { Steps = Steps });
            await Grains.Tests.Studies.Started(hosts.Client, hosts.Data, request);
            var checkpoints = Path.Combine(artifacts, "moved", "trial-0000", "checkpoints");
            var running = await hosts.WaitForStudy("moved", s => s.Trials.Count == 1 && s.Trials[0].Attempts[^1].Pid is not null
                && Directory.Exists(checkpoints) && Directory.EnumerateDirectories(checkpoints, "step-*").Any(d => !d.Contains(".tmp-")),
                TimeSpan.FromSeconds(180));
            var first = running.Trials[0].Attempts[0];
            var victim = hosts.Silos.Single(s => s.Runs(first.Silo));
            var worker = first.Pid!.Value;

            output.WriteLine($"killing the silo on port {victim.SiloPort} at step {running.Trials[0].Step}; its worker is {worker}");
            victim.Kill();
            // Its worker sees its input close and exits rather than train on for nobody.
            await Hosts.Eventually(() => Task.FromResult(Exited(worker)), gone => gone, TimeSpan.FromSeconds(20));

            var done = await hosts.WaitUntilFinished("moved", TimeSpan.FromSeconds(300));
            Assert.Equal(StudyState.Completed, done.State);
            var trial = Assert.Single(done.Trials);
            Assert.Equal(2, trial.Attempts.Count);
            Assert.Matches("^failed: silo .* is (gone|unavailable)$", trial.Attempts[0].Outcome);
            Assert.False(victim.Runs(trial.Attempts[1].Silo));
            Assert.Equal("completed", trial.Attempts[1].Outcome);
            var resumed = trial.Attempts[1].ResumedFromStep;
            Assert.True(resumed > 0 && resumed % Every == 0, $"resumed from step {resumed}");

            // Steps lost: from the checkpoint resumed to the last step the killed attempt's log shows
            // (the worker logs every 1% of the steps, so the true figure is at most 3 more).
            var log = File.ReadAllText(Path.Combine(artifacts, "moved", "trial-0000", "attempt-1.log"));
            var reached = StepLine.Matches(log).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Max();
            output.WriteLine($"the killed attempt reached step {reached} (its log); attempt 2 resumed from step {resumed}: " +
                $"{reached - resumed} steps lost (checkpoint interval {Every}, --checkpoint-every)");
            Assert.InRange(reached - resumed, 0, Every);
            Assert.Contains($"resumed from the checkpoint of step {resumed}",
                File.ReadAllText(Path.Combine(artifacts, "moved", "trial-0000", "attempt-2.log")));

            // The resumed run ends as a run never stopped: the same validation NLL, to the last bit.
            torch.set_num_threads(1);
            var whole = TrainingRun.Run(trial.Recipe, new RunInputs(hosts.Data.Backbone, hosts.Data.Train, hosts.Data.Val,
                new SftFieldMap("prompt", "response"), AnswerFormat.Parse("whole")), new RunHooks { Metric = StudyMetric.Parse("nll"), Evaluations = 2 });
            Assert.Equal(whole.Value, trial.Value);

            // The winner's model is kept in the shared folder; the finished trial's checkpoints are deleted.
            Assert.True(File.Exists(Path.Combine(artifacts, "moved", "trial-0000", "model", "model.safetensors")));
            await Hosts.Eventually(() => Task.FromResult(Directory.Exists(checkpoints)), exists => !exists, TimeSpan.FromSeconds(20));
        }
        finally
        {
            if (Directory.Exists(artifacts)) Directory.Delete(artifacts, recursive: true);
        }
    }

    /// <summary>The silo's worker settings are checked as it starts: exit code 2 and the setting named, before any trial.</summary>
    [Theory]
    [InlineData("--checkpoint-every must be 0 (5% of a trial's steps) or positive, got -1", "--checkpoint-every", "-1")]
    [InlineData("--checkpoint-min-seconds must be 0 (no floor) or positive, got -2", "--checkpoint-min-seconds", "-2")]
    [InlineData("--worker-memory-mb must be 0 (no limit) or positive, got -5", "--worker-memory-mb", "-5")]
    [InlineData("--worker /nowhere/BeyondNll.Worker.dll does not exist", "--worker", "/nowhere/BeyondNll.Worker.dll")]
    [InlineData("--artifacts FILE cannot be used as a folder: ", "--artifacts", "FILE")]
    public async Task A_silo_refuses_bad_worker_settings_with_exit_code_2(string message, string flag, string value)
    {
        var folder = Directory.CreateTempSubdirectory("bnll-worker-flags-").FullName;
        try
        {
            if (value == "FILE")
            {
                // A file where the folder should be.
                File.WriteAllText(value = Path.Combine(folder, "a-file"), "not a folder");
                message = message.Replace("FILE", value);
            }
            using var store = await RedisServer.Start(Path.Combine(folder, "redis"));
            using var silo = SiloProcess.Start(folder, store, "cpu:1", extra: [flag, value]);
            Assert.Equal(2, await silo.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains($"silo: {message}", silo.Log());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
