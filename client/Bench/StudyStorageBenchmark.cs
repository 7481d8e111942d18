using System.Diagnostics;
using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Silo.Hosting;
using BeyondNll.Silo.Hosting.Storage;
using BeyondNll.Training.Model;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Trainer;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace BeyondNll.Client.Bench;

/// <summary>What one study of <see cref="Trials"/> simulated trials wrote to the store and how long its status took.</summary>
/// <param name="BytesPerTrial">Everything the study wrote (its record, its trials' records, the attempts'), over its trials.</param>
/// <param name="StudyRecordLargestBytes">The largest write of the study's own record: flat in the number of trials.</param>
/// <param name="StatusMsMedian">`search status` as a client sees it: the call, and the JSON the console prints.</param>
/// <param name="ReloadMs">The first status after a silo restart: the study activates and reads every trial's record.</param>
public sealed record StudyStorageResult(int Trials, int Evaluations, string Sampler, double Seconds, long Writes, long Bytes, double BytesPerTrial,
    IReadOnlyDictionary<string, SqliteGrainStorage.WriteCount> ByState, long StudyRecordLargestBytes, long StatusJsonBytes,
    double StatusMsMedian, double StatusMsMin, double ReloadMs);

/// <summary>
/// `bnll bench study`: one study of many simulated trials (no waiting: the work is orchestration and
/// storage only) on a silo in this process with the embedded SQLite store, counting every write.
/// </summary>
public static class StudyStorageBenchmark
{
    public static async Task<StudyStorageResult> Run(int trials, int evaluations, string sampler, int devices, Action<string> log, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), "bnll-bench-study", Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var (backbone, train, val) = DryRunInputs.Write(folder);
            var options = new ClusterSiloOptions { DataDirectory = Path.Combine(folder, "cluster"), Devices = $"simulated:{devices}", DashboardPort = 0 };
            var watch = Stopwatch.StartNew();
            StudyStatus status;
            IReadOnlyDictionary<string, SqliteGrainStorage.WriteCount> written;
            (double Median, double Min, long Bytes) statusTime;
            await using (var silo = await InProcessSilo.StartAsync(options, ct))
            {
                var grains = silo.Client;
                await grains.GetGrain<IBackboneGrain>("bench").Register(backbone);
                var study = grains.GetGrain<IStudyGrain>("bench");
                await study.Start(new StudyRequest
                {
                    Name = "bench", Backbone = "bench", TrainPath = train, ValPath = val, SpaceJson = NamedSpaces.CreateDefault().ToJson(),
                    Trials = trials, Parallel = devices, Sampler = sampler, Evaluations = evaluations, Workload = "simulated:0",
                    Recipe = new TrainingRecipe { Steps = 10, MaxLength = 32, BatchSize = 8 },
                });
                while (!SearchStatusView.IsFinished((status = await study.GetStatus()).State))
                {
                    log($"{SearchStatusView.TrialsDone(status)}/{trials} trials done");
                    await Task.Delay(TimeSpan.FromSeconds(2), ct);
                }
                watch.Stop();
                written = ((SqliteGrainStorage)silo.Services.GetRequiredKeyedService<IGrainStorage>(Grains.StorageNames.Cluster)).Written;
                statusTime = await TimeStatus(study);
            }
            // Another silo on the same store: the study activates again and reads its trials back.
            var reload = Stopwatch.StartNew();
            await using (var silo = await InProcessSilo.StartAsync(options, ct))
            {
                var again = await silo.Client.GetGrain<IStudyGrain>("bench").GetStatus();
                reload.Stop();
                if (again.Trials.Count != status.Trials.Count) throw new InvalidOperationException($"reloaded {again.Trials.Count} trials of {status.Trials.Count}");
            }
            var writes = written.Values.Sum(w => w.Writes);
            var bytes = written.Values.Sum(w => w.Bytes);
            return new StudyStorageResult(trials, evaluations, sampler, Math.Round(watch.Elapsed.TotalSeconds, 1), writes, bytes,
                Math.Round((double)bytes / status.Trials.Count, 1), written, written.GetValueOrDefault("study").LargestBytes, statusTime.Bytes,
                Math.Round(statusTime.Median, 2), Math.Round(statusTime.Min, 2), Math.Round(reload.Elapsed.TotalMilliseconds, 1));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Seven status calls after one to warm up, each with the console's JSON of it; median and fastest.</summary>
    static async Task<(double Median, double Min, long Bytes)> TimeStatus(IStudyGrain study)
    {
        await study.GetStatus();
        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < 7; i++)
        {
            var watch = Stopwatch.StartNew();
            var json = JsonSerializer.Serialize(SearchStatusView.ToJson(await study.GetStatus()), JsonOutput.Options);
            times.Add(watch.Elapsed.TotalMilliseconds);
            bytes = json.Length;
        }
        times.Sort();
        return (times[times.Count / 2], times[0], bytes);
    }
}

/// <summary>A micro backbone and a small data set: simulated workloads only check that they are there and hash the same.</summary>
public static class DryRunInputs
{
    public static (string Backbone, string Train, string Val) Write(string folder)
    {
        var backbone = Path.Combine(folder, "backbone");
        var (train, val, _) = LocalRun.WriteData("addition", 64, noise: 0, seed: 1, valCount: 16, Path.Combine(folder, "data"));
        SyntheticBackbone.Create(backbone, new SyntheticBackboneOptions
        {
            Task = "addition", PretrainSteps = 0, Config = new DecoderConfig(128, 64, 2, 4, 4, 128, 32),
        });
        return (backbone, train, val);
    }
}
