using System.Diagnostics;
using BeyondNll.Client.Cluster;
using BeyondNll.Client.Commands;
using BeyondNll.Grains;
using BeyondNll.Training.Trainer;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Model;
using BeyondNll.Training.Synthetic;
using Orleans.Runtime;

namespace BeyondNll.Client.Bench;

/// <summary>What `bnll bench cluster` runs: N silos of D simulated devices, one study of T trials.</summary>
/// <param name="Clustering">redis (a throw-away redis-server holds membership and grain state) or localhost (SQLite).</param>
/// <param name="SiloDll">The silo host to start, once per silo.</param>
/// <param name="Evaluations">Intermediate values per trial (0 = none, as the anchor's objective reports none).</param>
public sealed record ClusterBenchSettings(int Silos, int DevicesPerSilo, int Trials, double Seconds, string Sampler,
    string Clustering, string SiloDll, int Evaluations = 0, int Seed = 0)
{
    public int Devices => Silos * DevicesPerSilo;
    public string Workload => $"simulated:{Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>The cluster's side of the benchmark, with how the trials ended and the lag between a workload's end and its device's release.</summary>
public sealed record ClusterBenchResult(OrchestrationFigures Figures, int Completed, int Failed, int Attempts,
    double? ReleaseLagMedianMs, string Storage, string StudyState)
{
    /// <summary>Every attempt with its timestamps, for `--runs FILE`; not part of the report's JSON.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<(int Trial, AttemptView Attempt)> AttemptLog { get; init; } = [];
}

/// <summary>
/// Starts a cluster of real silo processes on loopback (stand-ins for hosts, each with its own
/// runtime, thread pool and network stack), a study of simulated trials on it, and measures the
/// orchestration from the devices' own timestamps (see <see cref="AttemptView"/>): when each
/// workload started and ended on its device. Everything it starts lives in a temporary folder and is
/// stopped and removed at the end, also when the run fails.
/// </summary>
public sealed class ClusterBenchmark(ClusterBenchSettings settings, Action<string> log) : IAsyncDisposable
{
    const string StudyName = "bench";
    const string BackboneName = "bench-micro";

    readonly List<LocalProcess> processes = [];
    readonly string folder = Path.Combine(Path.GetTempPath(), "bnll-bench-cluster", Guid.NewGuid().ToString("N")[..12]);
    ClusterConnection? connection;

    /// <summary>Where the silos' logs are while the run lasts.</summary>
    public string Folder => folder;

    public async Task<ClusterBenchResult> Run(CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var (backbone, train, val) = DryRunInputs.Write(folder);
        var (gateways, storage) = await StartCluster(ct);
        connection = await ClusterConnection.ConnectAsync(string.Join(',', gateways), ct, TimeSpan.FromSeconds(30));
        var grains = connection.Client;
        await WaitForSilos(grains, ct);
        await grains.GetGrain<IBackboneGrain>(BackboneName).Register(backbone);

        var request = new StudyRequest
        {
            Name = StudyName, Backbone = BackboneName, TrainPath = train, ValPath = val,
            SpaceJson = NamedSpaces.CreateDefault().ToJson(), Trials = settings.Trials, Parallel = settings.Devices,
            Sampler = settings.Sampler, Pruner = "none", Evaluations = settings.Evaluations, Workload = settings.Workload, Seed = settings.Seed,
            Recipe = new TrainingRecipe { Steps = 10, MaxLength = 32, BatchSize = 8, Seed = settings.Seed },
        };
        log($"study: {settings.Trials} trials of {settings.Workload} on {settings.Silos} × {settings.DevicesPerSilo} devices ({settings.Sampler})");
        var study = grains.GetGrain<IStudyGrain>(StudyName);
        var spanStart = DateTimeOffset.UtcNow;
        await study.Start(request);
        var status = await WaitUntilFinished(study, ct);

        var attempts = status.Trials.SelectMany(t => t.Attempts).ToList();
        var runs = attempts.Where(a => a is { WorkStarted: not null, WorkEnded: not null })
            .Select(a => new DeviceRun($"{a.Silo}/{a.Device}", a.WorkStarted!.Value, a.WorkEnded!.Value)).ToList();
        var lags = attempts.Where(a => a is { WorkEnded: not null, Released: not null })
            .Select(a => (a.Released!.Value - a.WorkEnded!.Value).TotalMilliseconds).ToList();
        return new ClusterBenchResult(
            OrchestrationMetrics.Compute(runs, settings.Devices, spanStart),
            status.Trials.Count(t => t.State == TrialRunState.Completed),
            status.Trials.Count(t => t.State is TrialRunState.Failed or TrialRunState.Cancelled),
            attempts.Count, lags.Count > 0 ? OrchestrationMetrics.Percentile(lags, 0.5) : null, storage,
            status.State.ToString().ToLowerInvariant())
        {
            AttemptLog = status.Trials.SelectMany(t => t.Attempts.Select(a => (t.Number, a))).ToList(),
        };
    }

    async Task<(List<string> Gateways, string Storage)> StartCluster(CancellationToken ct)
    {
        var common = new List<string> { "--devices", $"simulated:{settings.DevicesPerSilo}", "--dashboard-port", "0" };
        string storage;
        var primaryPort = LocalProcess.FreePort();
        if (settings.Clustering == "redis")
        {
            // Durable as the README asks of a production Redis (append-only file, fsync every second),
            // as the anchor's PostgreSQL commits asynchronously (WAL flushed within a second).
            var port = LocalProcess.FreePort();
            var redis = Track(LocalProcess.Start("redis-server", ["--port", $"{port}", "--bind", "127.0.0.1", "--dir", folder,
                "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"], Path.Combine(folder, "redis.log")));
            await redis.WaitForPort(port, TimeSpan.FromSeconds(20), ct);
            common.AddRange(["--clustering", "redis", "--connection", $"127.0.0.1:{port}", "--data-dir", folder]);
            storage = "redis (appendonly, fsync every second)";
        }
        else
        {
            common.AddRange(["--clustering", "localhost", "--primary-silo-port", $"{primaryPort}", "--data-dir", folder]);
            storage = "sqlite (one file shared by the silos)";
        }

        var gateways = new List<string>();
        var started = new List<(LocalProcess Silo, int Gateway)>();
        for (var i = 0; i < settings.Silos; i++)
        {
            var siloPort = i == 0 ? primaryPort : LocalProcess.FreePort();
            var gatewayPort = LocalProcess.FreePort();
            var silo = Track(LocalProcess.Start("dotnet", [settings.SiloDll, .. common, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}"],
                Path.Combine(folder, $"silo-{i}.log")));
            started.Add((silo, gatewayPort));
            gateways.Add($"127.0.0.1:{gatewayPort}");
            // With localhost clustering the others join the first, so it must be up before them.
            if (i == 0 && settings.Clustering == "localhost") await silo.WaitForPort(gatewayPort, TimeSpan.FromSeconds(90), ct);
        }
        log($"{settings.Silos} silo process(es) starting, {storage}; logs in {folder}");
        await Task.WhenAll(started.Select(s => s.Silo.WaitForPort(s.Gateway, TimeSpan.FromSeconds(120), ct)));
        return (gateways, storage);
    }

    async Task WaitForSilos(IClusterClient grains, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var active = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            if (active.Count == settings.Silos) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"only {active.Count} of {settings.Silos} silos joined within 90 s; logs in {folder}");
            await Task.Delay(250, ct);
        }
    }

    async Task<StudyStatus> WaitUntilFinished(IStudyGrain study, CancellationToken ct)
    {
        // Ideal time plus a generous margin; a study that takes longer is a failure to report, not to wait for.
        var ideal = Math.Ceiling((double)settings.Trials / settings.Devices) * settings.Seconds;
        var timeout = TimeSpan.FromSeconds(120 + 5 * ideal);
        var watch = Stopwatch.StartNew();
        var lastShown = TimeSpan.Zero;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            if (processes.FirstOrDefault(p => !p.Running) is { } gone)
                throw new InvalidOperationException($"{Path.GetFileNameWithoutExtension(gone.LogPath)} exited during the study; its log ends:\n{gone.Tail(8)}");
            var status = await study.GetStatus();
            var done = status.Trials.Count(t => t.State is not (TrialRunState.Pending or TrialRunState.Running));
            if (status.State is not (StudyState.Running or StudyState.Pending)) return status;
            if (watch.Elapsed - lastShown >= TimeSpan.FromSeconds(10))
            {
                lastShown = watch.Elapsed;
                log($"  {watch.Elapsed.TotalSeconds:F0} s: {done}/{settings.Trials} trials done");
            }
            if (watch.Elapsed > timeout)
                throw new TimeoutException($"the study had {done} of {settings.Trials} trials done after {timeout.TotalSeconds:F0} s; logs in {folder}");
        }
    }

    LocalProcess Track(LocalProcess process)
    {
        processes.Add(process);
        return process;
    }

    /// <summary>A folder to copy the silos' and the server's logs to before the run's folder is removed; null keeps none.</summary>
    public string? KeepLogsIn { get; init; }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        // The silos together (they still write to Redis while they leave), then the server.
        var silos = processes.Where(p => p.LogPath.Contains("silo-")).ToList();
        await Task.WhenAll(silos.Select(p => p.Stop(TimeSpan.FromSeconds(15))));
        foreach (var p in processes.Except(silos)) await p.Stop(TimeSpan.FromSeconds(5));
        foreach (var p in processes) p.Dispose();
        if (KeepLogsIn is not null && Directory.Exists(folder))
        {
            var target = Directory.CreateDirectory(KeepLogsIn).FullName;
            foreach (var file in Directory.EnumerateFiles(folder, "*.log")) File.Copy(file, Path.Combine(target, Path.GetFileName(file)), true);
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
