using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using BeyondNll.Client.Bench;
using BeyondNll.Grains;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll bench cluster --silos N --devices-per-silo D --trials T --workload simulated:SECONDS [--json]</c>:
/// the cluster's orchestration cost with the trainer out of the way (issue 5). It starts N silo
/// processes on loopback with D simulated devices each, runs one study of T simulated trials, and
/// reports trials per minute, the median and p99 time from a device falling free to its next trial
/// running, and the devices' idle share; with <c>--anchor</c> the same study on Optuna with RDB
/// storage on PostgreSQL (N × D worker processes) right after, in the same run.
/// </summary>
public static class BenchClusterCommand
{
    /// <summary>The targets of issue 5, printed beside the figures.</summary>
    public const double TargetRatio = 10, TargetMedianMs = 100, TargetIdleShare = 0.05;

    public static readonly string[] Samplers = ["tpe", "random"];
    public static readonly string[] Clusterings = ["redis", "localhost"];

    public sealed record Setup(int Silos, int DevicesPerSilo, int Devices, int Trials, string Workload, string Sampler,
        string Clustering, string Storage, int Cores, string Os, DateTimeOffset Started, string? LoadAtStart, string? LoadAtEnd);

    public sealed record Targets(double? TrialsPerMinuteRatio, bool? TrialsPerMinuteAtLeast10x, bool FreeToRunningMedianAtMost100Ms,
        bool IdleShareAtMost5Percent);

    public sealed record Report(Setup Setup, ClusterBenchResult Cluster, AnchorResult? Anchor, Targets Targets);

    public static Command Create()
    {
        var silos = new Option<int>("--silos") { Description = "Silo processes on loopback, each a stand-in for a host.", DefaultValueFactory = _ => 1 };
        var devices = new Option<int>("--devices-per-silo") { Description = "Simulated devices per silo.", DefaultValueFactory = _ => 4 };
        var trials = new Option<int>("--trials") { Description = "Trials of the study, the NLL baseline included.", DefaultValueFactory = _ => 60 };
        var workload = new Option<string>("--workload") { Description = "simulated:SECONDS, each trial's stand-in for training.", DefaultValueFactory = _ => "simulated:1" };
        var sampler = new Option<string>("--sampler") { Description = "tpe or random, on both sides.", DefaultValueFactory = _ => "tpe" };
        var clustering = new Option<string>("--clustering")
        {
            Description = "redis (a throw-away redis-server for membership and state) or localhost (state in one SQLite file).",
            DefaultValueFactory = _ => "redis",
        };
        var anchor = new Option<bool>("--anchor") { Description = "Then run the same study on Optuna with RDB storage on PostgreSQL (bench/optuna_rdb_anchor.py)." };
        var python = new Option<string>("--python") { Description = "The Python with Debian's python3-optuna and python3-psycopg2.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var script = new Option<string>("--anchor-script") { Description = "The anchor script.", DefaultValueFactory = _ => Path.Combine(Built("RepositoryRoot"), "bench", "optuna_rdb_anchor.py") };
        var siloDll = new Option<string>("--silo-dll") { Description = "The silo host to start (built with bnll).", DefaultValueFactory = _ => Built("SiloDll") };
        var seed = new Option<int>("--seed") { Description = "Seed of the samplers.", DefaultValueFactory = _ => 0 };
        var logs = new Option<string?>("--logs") { Description = "A folder to keep the silos' and the server's logs in." };
        var runs = new Option<string?>("--runs") { Description = "A file to write every cluster attempt's timestamps to (JSON lines)." };
        var json = new Option<bool>("--json") { Description = "Print one line of JSON (snake_case)." };
        var command = new Command("cluster", "Orchestration cost: trials per minute, free device to running trial, idle share; Optuna-RDB beside it with --anchor.")
        {
            silos, devices, trials, workload, sampler, clustering, anchor, python, script, siloDll, seed, logs, runs, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = Check(parse.GetValue(silos), parse.GetValue(devices), parse.GetValue(trials), parse.GetValue(workload)!,
                parse.GetValue(sampler)!, parse.GetValue(clustering)!, parse.GetValue(siloDll)!, parse.GetValue(seed));
            var withAnchor = parse.GetValue(anchor);
            if (withAnchor)
            {
                if (!File.Exists(parse.GetValue(script))) throw new FileNotFoundException($"--anchor-script {parse.GetValue(script)} does not exist");
                if (!OnPath(parse.GetValue(python)!)) throw new FileNotFoundException($"--python {parse.GetValue(python)} is not found");
            }
            return await RunAsync(settings, withAnchor, parse.GetValue(python)!, parse.GetValue(script)!, parse.GetValue(logs),
                parse.GetValue(runs), parse.GetValue(json), Console.Out, ct);
        });
        return command;
    }

    /// <summary>Everything about the request that can be wrong, checked before anything starts.</summary>
    /// <exception cref="ArgumentException">A value out of range, named after its flag.</exception>
    /// <exception cref="FileNotFoundException">The silo host, or redis-server for redis clustering, is missing.</exception>
    public static ClusterBenchSettings Check(int silos, int devicesPerSilo, int trials, string workload, string sampler,
        string clustering, string siloDll, int seed)
    {
        if (silos is < 1 or > 64) throw new ArgumentException($"--silos must be between 1 and 64, got {silos}");
        if (devicesPerSilo is < 1 or > 256) throw new ArgumentException($"--devices-per-silo must be between 1 and 256, got {devicesPerSilo}");
        if (trials < 1) throw new ArgumentException($"--trials must be positive, got {trials}");
        WorkloadKind kind;
        try { kind = WorkloadKind.Parse(workload); }
        catch (ArgumentException) { kind = default; }
        if (kind.Kind != "simulated")
            throw new ArgumentException($"--workload must be simulated:SECONDS (the trainer is kept out of this benchmark), got '{workload}'");
        if (!Samplers.Contains(sampler)) throw new ArgumentException($"--sampler must be one of {string.Join(", ", Samplers)}, got '{sampler}'");
        if (!Clusterings.Contains(clustering)) throw new ArgumentException($"--clustering must be one of {string.Join(", ", Clusterings)}, got '{clustering}'");
        if (!File.Exists(siloDll))
            throw new FileNotFoundException($"the silo host is not built at {siloDll}: run `dotnet build silo/BeyondNll.Silo -c Release` or pass --silo-dll");
        if (clustering == "redis" && !OnPath("redis-server"))
            throw new FileNotFoundException("clustering redis needs redis-server on the PATH (apt-get install redis-server), or use --clustering localhost");
        return new ClusterBenchSettings(silos, devicesPerSilo, trials, kind.Seconds, sampler, clustering, siloDll, Seed: seed);
    }

    public static async Task<int> RunAsync(ClusterBenchSettings settings, bool withAnchor, string python, string script,
        string? keepLogs, string? runsFile, bool json, TextWriter output, CancellationToken ct)
    {
        void Log(string line) => Console.Error.WriteLine(line);
        var started = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage();
        ClusterBenchResult cluster;
        string storage;
        await using (var bench = new ClusterBenchmark(settings, Log) { KeepLogsIn = keepLogs })
        {
            try
            {
                cluster = await bench.Run(ct);
                storage = cluster.Storage;
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or Orleans.Runtime.OrleansException)
            {
                Console.Error.WriteLine($"error: the cluster run failed: {e.Message}");
                return CommandLineExit.Failed;
            }
        }
        if (runsFile is not null)
        {
            await File.WriteAllLinesAsync(runsFile, cluster.AttemptLog.Select(x => System.Text.Json.JsonSerializer.Serialize(
                new { trial = x.Trial, x.Attempt.Silo, x.Attempt.Device, x.Attempt.Started, x.Attempt.WorkStarted, x.Attempt.WorkEnded,
                    x.Attempt.Released, x.Attempt.Ended, x.Attempt.Outcome }, JsonOutput.Options)), ct);
        }
        if (cluster.StudyState != "completed")
        {
            Console.Error.WriteLine($"error: the study ended {cluster.StudyState} ({cluster.Failed} trials failed)");
            return CommandLineExit.Failed;
        }

        AnchorResult? anchor = null;
        if (withAnchor)
        {
            try
            {
                anchor = await OptunaAnchor.Run(python, script, settings.Devices, settings.Trials, settings.Seconds, settings.Sampler, settings.Seed, Log, ct);
            }
            catch (Exception e) when (e is InvalidOperationException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CommandLineExit.Failed;
            }
        }

        var report = new Report(
            new Setup(settings.Silos, settings.DevicesPerSilo, settings.Devices, settings.Trials, settings.Workload, settings.Sampler,
                settings.Clustering, storage, Environment.ProcessorCount, RuntimeInformation.OSDescription, started, loadAtStart, LoadAverage()),
            cluster, anchor, Judge(cluster.Figures, anchor?.Work));
        if (json) JsonOutput.Write(output, report);
        else Print(report, output);
        return 0;
    }

    /// <summary>The targets of issue 5 against the figures; the ratio only with the anchor.</summary>
    public static Targets Judge(OrchestrationFigures cluster, OrchestrationFigures? anchor)
    {
        double? ratio = anchor is { TrialsPerMinute: > 0 } a ? cluster.TrialsPerMinute / a.TrialsPerMinute : null;
        return new Targets(ratio, ratio is { } r ? r >= TargetRatio : null,
            cluster.FreeToRunningMedianMs is { } m && m <= TargetMedianMs, cluster.IdleShare <= TargetIdleShare);
    }

    static void Print(Report r, TextWriter output)
    {
        var console = ClusterCommandLine.AnsiFor(output);
        var s = r.Setup;
        console.WriteLine($"{s.Silos} silo(s) × {s.DevicesPerSilo} devices, {s.Trials} trials of {s.Workload}, {s.Sampler}; {s.Storage}; " +
            $"{s.Cores} cores, load average {s.LoadAtStart} at the start, {s.LoadAtEnd} at the end");
        var table = new Table().AddColumns("", "bnll cluster");
        if (r.Anchor is not null) table.AddColumns("optuna-rdb (work)", "optuna-rdb (datetimes)");
        table.AddColumn("target");
        void Row(string name, Func<OrchestrationFigures, string> value, string target)
        {
            var cells = new List<string> { name, value(r.Cluster.Figures) };
            if (r.Anchor is { } a) cells.AddRange([value(a.Work), value(a.Datetimes)]);
            cells.Add(target);
            table.AddRow(cells.Select(c => new Text(c)).ToArray());
        }
        Row("trials per minute", f => F(f.TrialsPerMinute, "F1"), r.Targets.TrialsPerMinuteRatio is { } x ? $"≥ 10× anchor: {x:F2}×" : "≥ 10× anchor");
        Row("free → running, median (ms)", f => F(f.FreeToRunningMedianMs, "F1"), "≤ 100");
        Row("free → running, p99 (ms)", f => F(f.FreeToRunningP99Ms, "F1"), "");
        Row("idle share", f => f.IdleShare.ToString("P1", CultureInfo.InvariantCulture), "≤ 5%");
        Row("span (s)", f => F(f.SpanSeconds, "F1"), "");
        console.Write(table);
        console.WriteLine($"cluster: {r.Cluster.Completed} completed, {r.Cluster.Failed} failed, {r.Cluster.Attempts} attempts; " +
            $"workload end → device released, median {F(r.Cluster.ReleaseLagMedianMs, "F1")} ms");
    }

    /// <summary>The machine's 1, 5 and 15 minute load averages (Linux), since the benchmark shares it with whatever else runs.</summary>
    static string? LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;

    static string F(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";

    /// <summary>A path this build of bnll was told at build time (see the project file).</summary>
    static string Built(string key) => Path.GetFullPath(typeof(BenchClusterCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!);

    static bool OnPath(string program) =>
        program.Contains('/') ? File.Exists(program)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, program)));
}
