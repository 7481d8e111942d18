using System.Security.Cryptography.X509Certificates;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using BeyondNll.Grains.Tests;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// Several hosts on one machine: a database server (PostgreSQL or Redis), silo processes sharing it,
/// the synthetic backbone and data at one path (every host sees the same files), and a client with
/// static gateways, as `bnll --gateway` connects. Disposing stops everything and prints the silos' failures.
/// </summary>
public sealed class Hosts : IAsyncDisposable
{
    readonly ITestOutputHelper output;
    readonly ClusterTls? tls;
    readonly IReadOnlyList<string> flags;
    ClusterConnection? connection;

    public TestData Data { get; } = new();
    public IClusterStore Store { get; private set; } = null!;
    public List<SiloProcess> Silos { get; } = [];

    Hosts(ITestOutputHelper output, ClusterTls? tls, IReadOnlyList<string>? flags)
    {
        this.output = output;
        this.tls = tls;
        this.flags = flags ?? [];
    }

    public IClusterClient Client => connection?.Client ?? throw new InvalidOperationException("no client connected");

    /// <param name="clustering">postgres or redis: the server the silos share.</param>
    /// <param name="durable">For Redis, an append-only file, so that a restarted server has the data (PostgreSQL always keeps it).</param>
    /// <param name="tls">The cluster's certificate: silos and the client run TLS with it.</param>
    /// <param name="flags">More settings for every silo (such as --artifacts DIR).</param>
    public static async Task<Hosts> Start(ITestOutputHelper output, string clustering, string[] devicesPerSilo, bool durable = false, ClusterTls? tls = null,
        IReadOnlyList<string>? flags = null)
    {
        var hosts = new Hosts(output, tls, flags);
        hosts.Store = clustering switch
        {
            "redis" => await RedisServer.Start(Path.Combine(hosts.Data.Root, "redis"), durable),
            "postgres" => await PostgresServer.Start(),
            _ => throw new ArgumentException($"no such store: {clustering}"),
        };
        await hosts.AddSilos(devicesPerSilo);
        await hosts.Connect();
        return hosts;
    }

    /// <summary>Starts silos (on given ports, for a restart) and waits until the cluster counts them active.</summary>
    public async Task AddSilos(string[] devices, IReadOnlyList<(int Silo, int Gateway)>? ports = null)
    {
        string[] extra = [.. tls is null ? [] : new[] { "--tls-certificate", tls.Path, "--tls-password", tls.Password }, .. flags];
        var started = devices.Select((d, i) => SiloProcess.Start(Data.Root, Store, d, ports?[i].Silo, ports?[i].Gateway, extra)).ToList();
        Silos.AddRange(started);
        await Task.WhenAll(started.Select(s => s.WaitForPort(s.GatewayPort, TimeSpan.FromSeconds(60))));
        if (connection is not null) await WaitForActiveSilos(Silos.Count(s => s.Running));
    }

    /// <summary>A client with every running silo's gateway, as `bnll --gateway h1:p1,h2:p2`.</summary>
    public async Task Connect()
    {
        await Disconnect();
        var gateways = string.Join(',', Silos.Where(s => s.Running).Select(s => $"127.0.0.1:{s.GatewayPort}"));
        connection = await ClusterConnection.ConnectAsync(gateways, CancellationToken.None, TimeSpan.FromSeconds(30), tls?.Certificate);
        await WaitForActiveSilos(Silos.Count(s => s.Running));
    }

    public async Task Disconnect()
    {
        if (connection is not null) await connection.DisposeAsync();
        connection = null;
    }

    public async Task WaitForActiveSilos(int count) =>
        await Eventually(() => Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true), h => h.Count == count, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Polls until the condition holds, riding out the calls that fail while the cluster changes. A call
    /// that was on its way to a silo as it died is never answered (Orleans gives up on it after 30 s):
    /// each read gets a few seconds, then the next one goes.
    /// </summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? lastError = null;
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await read().WaitAsync(TimeSpan.FromSeconds(5));
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
        Grains.Tests.Studies.Started(Client, Data, Grains.Tests.Studies.Request(Data, name, workload, trials, parallel));

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
        if (Store is PostgresServer postgres && !string.IsNullOrEmpty(keep)) File.Copy(postgres.LogPath, Path.Combine(Directory.CreateDirectory(keep).FullName, "postgres.log"), true);
        Store?.Dispose();
        if (!string.IsNullOrEmpty(keep))
        {
            foreach (var log in Directory.EnumerateFiles(Data.Root, "*.log", SearchOption.AllDirectories))
                File.Copy(log, Path.Combine(Directory.CreateDirectory(keep).FullName, Path.GetFileName(log)), true);
        }
        Data.Dispose();
    }
}

/// <summary>A cluster certificate in a PFX file with its password, and loaded, as silos and `bnll` use it.</summary>
public sealed record ClusterTls(string Path, string Password, X509Certificate2 Certificate);
