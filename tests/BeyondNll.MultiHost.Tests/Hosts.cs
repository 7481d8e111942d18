using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using BeyondNll.Grains.Tests;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// Several hosts on one machine: a Redis server, silo processes sharing it, the synthetic backbone
/// and data at one path (every host sees the same files), and a client with static gateways, as
/// `bnll --gateway` connects. Disposing stops everything and prints the silos' failures.
/// </summary>
public sealed class Hosts : IAsyncDisposable
{
    readonly ITestOutputHelper output;
    ClusterConnection? connection;

    public TestData Data { get; } = new();
    public RedisServer Redis { get; private set; } = null!;
    public List<SiloProcess> Silos { get; } = [];

    Hosts(ITestOutputHelper output) => this.output = output;

    public IClusterClient Client => connection?.Client ?? throw new InvalidOperationException("no client connected");

    public static async Task<Hosts> Start(ITestOutputHelper output, bool persistentRedis = false, params string[] devicesPerSilo)
    {
        var hosts = new Hosts(output);
        hosts.Redis = await RedisServer.Start(Path.Combine(hosts.Data.Root, "redis"), persistentRedis);
        await hosts.AddSilos(devicesPerSilo);
        await hosts.Connect();
        return hosts;
    }

    /// <summary>Starts silos (on given ports, for a restart) and waits until the cluster counts them active.</summary>
    public async Task AddSilos(string[] devices, IReadOnlyList<(int Silo, int Gateway)>? ports = null)
    {
        var started = devices.Select((d, i) => SiloProcess.Start(Data.Root, Redis.Connection, d, ports?[i].Silo, ports?[i].Gateway)).ToList();
        Silos.AddRange(started);
        await Task.WhenAll(started.Select(s => s.WaitForPort(s.GatewayPort, TimeSpan.FromSeconds(60))));
        if (connection is not null) await WaitForActiveSilos(Silos.Count(s => s.Running));
    }

    /// <summary>A client with every running silo's gateway, as `bnll --gateway h1:p1,h2:p2`.</summary>
    public async Task Connect()
    {
        await Disconnect();
        var gateways = string.Join(',', Silos.Where(s => s.Running).Select(s => $"127.0.0.1:{s.GatewayPort}"));
        connection = await ClusterConnection.ConnectAsync(gateways, CancellationToken.None, TimeSpan.FromSeconds(30));
        await WaitForActiveSilos(Silos.Count(s => s.Running));
    }

    public async Task Disconnect()
    {
        if (connection is not null) await connection.DisposeAsync();
        connection = null;
    }

    public async Task WaitForActiveSilos(int count) =>
        await Eventually(() => Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true), h => h.Count == count, TimeSpan.FromSeconds(60));

    /// <summary>Polls until the condition holds, riding out the calls that fail while the cluster changes.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? lastError = null;
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await read();
                if (condition(last)) return last;
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                lastError = e;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"not so after {timeout}; last seen: {Describe(last)}", lastError);
    }

    static string Describe<T>(T? value) => value is StudyStatus s
        ? $"{s.State}: " + string.Join(", ", s.Trials.Select(t => $"{t.Number}:{t.State}x{t.Attempts.Count}"))
        : value?.ToString() ?? "nothing";

    public Task<StudyStatus> WaitForStudy(string study, Func<StudyStatus, bool> condition, TimeSpan timeout) =>
        Eventually(() => Client.GetGrain<IStudyGrain>(study).GetStatus(), condition, timeout);

    public Task<StudyStatus> WaitUntilFinished(string study, TimeSpan timeout) =>
        WaitForStudy(study, s => s.State is not (StudyState.Running or StudyState.Pending), timeout);

    public Task<IStudyGrain> StartStudy(string name, string workload, int trials, int parallel) =>
        Studies.Started(Client, Data, Studies.Request(Data, name, workload, trials, parallel));

    public async ValueTask DisposeAsync()
    {
        await Disconnect();
        var keep = Environment.GetEnvironmentVariable("BNLL_TEST_LOGS"); // a folder to keep the silos' logs in
        foreach (var silo in Silos)
        {
            silo.Dispose();
            var lines = silo.Log().Split('\n');
            var failures = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("fail:") || x.l.StartsWith("crit:"))
                .Select(x => x.l + (x.i + 1 < lines.Length ? " " + lines[x.i + 1].Trim() : "")).Distinct().ToList();
            if (failures.Count > 0) output.WriteLine($"silo :{silo.SiloPort} logged:\n  " + string.Join("\n  ", failures.Take(10)));
        }
        Redis?.Dispose();
        if (!string.IsNullOrEmpty(keep))
        {
            foreach (var log in Directory.EnumerateFiles(Data.Root, "*.log", SearchOption.AllDirectories))
                File.Copy(log, Path.Combine(Directory.CreateDirectory(keep).FullName, Path.GetFileName(log)), true);
        }
        Data.Dispose();
    }
}
