using System.Net;
using BeyondNll.Grains;
using BeyondNll.Grains.Devices;
using BeyondNll.Grains.Placement;
using BeyondNll.Grains.Workloads;
using BeyondNll.Silo.Hosting.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace BeyondNll.Silo.Hosting;

/// <summary>How a silo of this cluster is put together, the same way for the silo host, the in-process
/// silo of `bnll` and the test clusters.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// The cluster's own parts: this silo's device slots, the silo-bound placement of trials and
    /// device hosts, grain state in SQLite (unless a storage provider named "bnll" is already
    /// registered), metrics, and the watchdog that keeps unfinished studies going.
    /// </summary>
    public static ISiloBuilder AddBeyondNllCluster(this ISiloBuilder silo, ClusterSiloOptions options, Func<int>? cudaDeviceCount = null)
    {
        var slots = DeviceSlots.Parse(options.Devices, options.ThreadsPerSlot, cudaDeviceCount ?? CudaDeviceCount);
        if (options.ThreadsPerSlot <= 0)
        {
            // The machine's cores shared among its CPU slots; a CUDA slot needs few CPU threads.
            var cpuSlots = Math.Max(1, slots.Count(s => s.Kind == "cpu"));
            slots = slots.Select(s => s with { Threads = s.Kind == "cuda" ? 2 : Math.Max(1, Environment.ProcessorCount / cpuSlots) }).ToList();
        }
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton(new DeviceSlots(slots));
        silo.Services.AddSingleton<ClusterMetrics>();
        silo.Services.TryAddSingleton<IWorkloadFactory, WorkloadFactory>();
        silo.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        if (!silo.Services.Any(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, StorageNames.Cluster)))
        {
            silo.Services.AddGrainStorage(StorageNames.Cluster, (services, _) => new SqliteGrainStorage(options.DatabasePath,
                services.GetRequiredService<IGrainStorageSerializer>(), services.GetRequiredService<ILogger<SqliteGrainStorage>>()));
        }
        silo.Services.AddHostedService<ClusterWatchdog>();
        return silo;
    }

    /// <summary>Localhost clustering: the first silo on the primary port, later ones join it.</summary>
    public static ISiloBuilder UseBeyondNllLocalhostClustering(this ISiloBuilder silo, ClusterSiloOptions options)
    {
        var primary = options.SiloPort == options.PrimarySiloPort ? null : new IPEndPoint(IPAddress.Loopback, options.PrimarySiloPort);
        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
        return silo;
    }

    static int CudaDeviceCount() => TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.cuda.device_count() : 0;
}
