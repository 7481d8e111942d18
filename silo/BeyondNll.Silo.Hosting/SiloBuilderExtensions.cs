using System.Net;
using BeyondNll.Grains;
using BeyondNll.Grains.Artifacts;
using BeyondNll.Grains.Devices;
using BeyondNll.Grains.Placement;
using BeyondNll.Grains.Workloads;
using BeyondNll.Silo.Hosting.Postgres;
using BeyondNll.Silo.Hosting.Security;
using BeyondNll.Silo.Hosting.Storage;
using BeyondNll.Studies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using StackExchange.Redis;

namespace BeyondNll.Silo.Hosting;

/// <summary>How a silo of this cluster is put together, the same way for the silo host, the in-process
/// silo of `bnll` and the test clusters.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// The cluster's own parts: this silo's device slots, its artifact folder and worker settings, the
    /// silo-bound placement of trials and device hosts, grain state in SQLite (unless a storage provider
    /// named "bnll" is already registered), metrics, and the watchdog that keeps unfinished studies going.
    /// </summary>
    public static ISiloBuilder AddBeyondNllCluster(this ISiloBuilder silo, ClusterSiloOptions options, Func<int>? cudaDeviceCount = null)
    {
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton(new DeviceSlots(Devices(options, cudaDeviceCount)));
        CheckWorkerSettings(options);
        silo.Services.AddSingleton(new ArtifactFolders(options.ArtifactsDirectory));
        silo.Services.AddSingleton(new WorkerOptions(string.IsNullOrWhiteSpace(options.Worker) ? WorkerOptions.DefaultDll() : options.Worker, options.CheckpointEvery, (long)options.WorkerMemoryMb << 20,
            options.CheckpointMinSeconds));
        silo.Services.AddSingleton<ClusterMetrics>();
        silo.Services.TryAddSingleton<IWorkloadFactory, WorkloadFactory>();
        silo.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        if (!silo.Services.Any(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, StorageNames.Cluster)))
        {
            silo.Services.AddGrainStorage(StorageNames.Cluster, (services, _) => new SqliteGrainStorage(options.DatabasePath,
                services.GetRequiredService<IGrainStorageSerializer>(), services.GetRequiredService<ILogger<SqliteGrainStorage>>()));
        }
        // The study model's stored records carry no Orleans attributes: allowed by assembly. Records
        // stored before types moved are read as what they became.
        silo.Services.Configure<TypeManifestOptions>(o => o.AddAllowedAssembly(typeof(StudyRecord).Assembly));
        silo.Services.AddSingleton<IPostConfigureOptions<OrleansJsonSerializerOptions>, StoredTypeNames>();
        silo.Services.AddHostedService<ClusterWatchdog>();
        // Trace context travels with grain calls, so a trial's spans join its study's (ClusterTracing).
        silo.AddActivityPropagation();
        return silo;
    }

    /// <summary>
    /// This silo's device slots and the libtorch threads of each: <see cref="ClusterSiloOptions.Devices"/>
    /// read with <see cref="ClusterSiloOptions.CoresInUse"/>; with no thread count set, the silo's cores
    /// are shared among its CPU slots, a CUDA slot gets 2 (it needs few CPU threads) and a simulated one 1.
    /// </summary>
    /// <exception cref="ArgumentException">A device setting that names no devices here.</exception>
    public static IReadOnlyList<DeviceSlot> Devices(ClusterSiloOptions options, Func<int>? cudaDeviceCount = null)
    {
        var cores = options.CoresInUse;
        var slots = DeviceSlots.Parse(options.Devices, options.ThreadsPerSlot, cudaDeviceCount ?? CudaDeviceCount, cores);
        if (options.ThreadsPerSlot > 0) return slots;
        var cpuSlots = Math.Max(1, slots.Count(s => s.Kind == "cpu"));
        return slots.Select(s => s with { Threads = s.Kind switch { "cuda" => 2, "simulated" => 1, _ => Math.Max(1, cores / cpuSlots) } }).ToList();
    }

    /// <summary>
    /// Membership (and, for a server, grain state) as <see cref="ClusterSiloOptions.Clustering"/> says:
    /// localhost, or postgres or redis for silos on several hosts; TLS when a certificate is set.
    /// Call before <see cref="AddBeyondNllCluster"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown provider, a server without a usable connection string, a bad certificate.</exception>
    public static ISiloBuilder UseBeyondNllClustering(this ISiloBuilder silo, ClusterSiloOptions options)
    {
        switch (options.Clustering.Trim().ToLowerInvariant())
        {
            case "localhost":
                silo.UseBeyondNllLocalhostClustering(options);
                break;
            case "redis":
                silo.UseBeyondNllRedis(options);
                break;
            case "postgres":
                silo.UseBeyondNllPostgres(options);
                break;
            default:
                throw new ArgumentException($"clustering '{options.Clustering}' is not known; use localhost, postgres or redis");
        }
        if (!string.IsNullOrWhiteSpace(options.TlsCertificate))
        {
            var certificate = ClusterCertificate.Load(options.TlsCertificate, options.TlsPassword);
            silo.UseTls(tls => ClusterCertificate.Configure(tls, certificate));
        }
        if (options.FastFailureDetection)
        {
            // A silo that misses three probes of at most 2 s is voted dead; the table is read every 2 s.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.MinProbeTimeout = TimeSpan.FromMilliseconds(500);
                o.MaxProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 3;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            });
        }
        return silo;
    }

    /// <summary>
    /// Redis for membership and for the grain state of the "bnll" provider (compare-and-set on an
    /// ETag, as the SQLite store does). The silo listens on its ports and advertises
    /// <see cref="ClusterSiloOptions.AdvertiseIp"/>; on all interfaces unless that is a loopback address.
    /// </summary>
    static ISiloBuilder UseBeyondNllRedis(this ISiloBuilder silo, ClusterSiloOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Connection))
            throw new ArgumentException("clustering 'redis' needs --connection HOST:PORT of the Redis server");
        var redis = ConfigurationOptions.Parse(options.Connection);
        silo.UseServerEndpoints(options);
        silo.UseRedisClustering(o => o.ConfigurationOptions = redis.Clone());
        silo.AddRedisGrainStorage(StorageNames.Cluster, o => o.ConfigurationOptions = redis.Clone());
        return silo;
    }

    /// <summary>
    /// PostgreSQL through Orleans' ADO.NET providers: membership, the grain state of the "bnll"
    /// provider and reminders, on the project's own schema (<see cref="PostgresSchema"/>, which the
    /// silo host applies before it starts). The grain state's ETag is the row's version.
    /// </summary>
    static ISiloBuilder UseBeyondNllPostgres(this ISiloBuilder silo, ClusterSiloOptions options)
    {
        var connection = PostgresSchema.Normalize(options.Connection);
        silo.UseServerEndpoints(options);
        silo.UseAdoNetClustering(o => { o.Invariant = PostgresSchema.Invariant; o.ConnectionString = connection; });
        silo.AddAdoNetGrainStorage(StorageNames.Cluster, o => { o.Invariant = PostgresSchema.Invariant; o.ConnectionString = connection; });
        silo.UseAdoNetReminderService(o => { o.Invariant = PostgresSchema.Invariant; o.ConnectionString = connection; });
        return silo;
    }

    /// <summary>
    /// The cluster identity and this silo's ports, advertising <see cref="ClusterSiloOptions.AdvertiseIp"/>:
    /// listening on all interfaces unless that is a loopback address.
    /// </summary>
    static void UseServerEndpoints(this ISiloBuilder silo, ClusterSiloOptions options)
    {
        if (!IPAddress.TryParse(options.AdvertiseIp, out var advertised))
            throw new ArgumentException($"--advertise-ip '{options.AdvertiseIp}' is not an IP address");
        silo.Configure<ClusterOptions>(o => { o.ClusterId = options.ClusterId; o.ServiceId = options.ServiceId; });
        silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
    }

    /// <summary>Localhost clustering: the first silo on the primary port, later ones join it.</summary>
    public static ISiloBuilder UseBeyondNllLocalhostClustering(this ISiloBuilder silo, ClusterSiloOptions options)
    {
        var primary = options.SiloPort == options.PrimarySiloPort ? null : new IPEndPoint(IPAddress.Loopback, options.PrimarySiloPort);
        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
        return silo;
    }

    static int CudaDeviceCount() => TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.cuda.device_count() : 0;

    /// <summary>
    /// The settings of torch attempts, refused at start rather than at the first trial: a checkpoint
    /// interval or memory limit below 0, a --worker that is not there, an --artifacts folder that
    /// cannot be made (a file of that name, no permission).
    /// </summary>
    static void CheckWorkerSettings(ClusterSiloOptions options)
    {
        if (options.CheckpointEvery < 0) throw new ArgumentException($"--checkpoint-every must be 0 (5% of a trial's steps) or positive, got {options.CheckpointEvery}");
        if (options.CheckpointMinSeconds < 0)
            throw new ArgumentException($"--checkpoint-min-seconds must be 0 (no floor) or positive, got {options.CheckpointMinSeconds}");
        if (options.WorkerMemoryMb < 0) throw new ArgumentException($"--worker-memory-mb must be 0 (no limit) or positive, got {options.WorkerMemoryMb}");
        if (!string.IsNullOrWhiteSpace(options.Worker) && !File.Exists(options.Worker))
            throw new ArgumentException($"--worker {options.Worker} does not exist (the worker program, BeyondNll.Worker.dll)");
        try
        {
            Directory.CreateDirectory(options.ArtifactsDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--artifacts {options.ArtifactsDirectory} cannot be used as a folder: {e.Message}");
        }
    }
}
