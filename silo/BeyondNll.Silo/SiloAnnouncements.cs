using System.Globalization;
using BeyondNll.Grains.Devices;
using BeyondNll.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

/// <summary>
/// What the silo host says on its console, one line each, apart from the log: that it is ready (and
/// where: cluster, addresses, devices, state, dashboard), that it is stopping (and which running
/// attempts it hands back), and that it has stopped. Scripts wait for the line beginning "silo ready:".
/// </summary>
static class SiloAnnouncements
{
    public const string ReadyPrefix = "silo ready:";

    public static void Register(IHost host, ClusterSiloOptions options)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() => Console.WriteLine(Ready(host.Services, options)));
        lifetime.ApplicationStopping.Register(() => Console.WriteLine(Stopping(host.Services.GetRequiredService<DeviceSlots>())));
        lifetime.ApplicationStopped.Register(() => Console.WriteLine("silo stopped"));
    }

    static string Ready(IServiceProvider services, ClusterSiloOptions options)
    {
        var silo = services.GetRequiredService<ILocalSiloDetails>();
        var devices = services.GetRequiredService<DeviceSlots>().Slots;
        var state = options.KeepsStateLocally ? $"state in {options.DatabasePath}" : $"state on the {options.Clustering.Trim().ToLowerInvariant()} server";
        var web = BeyondNll.Silo.Web.WebAccess.ListenUrl(options);
        var dashboard = options.DashboardPort > 0 ? $"studies {web}/studies, dashboard {web}/dashboard" : "no dashboard";
        return $"{ReadyPrefix} cluster {options.ClusterId}, silo {silo.SiloAddress.Endpoint}, gateway {silo.GatewayAddress?.Endpoint}, " +
               $"clustering {options.Clustering.Trim().ToLowerInvariant()}, devices {Describe(devices, options.CoresInUse)}, {state}, {dashboard}";
    }

    /// <summary>"cpu:0, cpu:1 (1 thread each, 2 cores)"; says so when the CPU slots' threads outnumber the cores.</summary>
    static string Describe(IReadOnlyList<DeviceSlot> slots, int cores)
    {
        var threads = slots.Select(s => s.Threads).Distinct().ToList();
        var each = threads.Count == 1 ? $"{Threads(threads[0])} each" : string.Join(", ", slots.Select(s => $"{s.Id}: {Threads(s.Threads)}"));
        var cpuThreads = slots.Where(s => s.Kind == "cpu").Sum(s => s.Threads);
        var load = cpuThreads > cores ? $"; {cpuThreads} threads on {Cores(cores)}: oversubscribed" : $", {Cores(cores)}";
        return $"{string.Join(", ", slots.Select(s => s.Id))} ({each}{load})";
    }

    static string Cores(int n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " core" : " cores");

    static string Threads(int n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " thread" : " threads");

    static string Stopping(DeviceSlots slots)
    {
        var running = slots.Snapshot().Where(s => s.Attempt is not null).Select(s => $"{s.Attempt} on {s.Slot.Id}").ToList();
        return running.Count == 0 ? "silo stopping: no attempts running"
            : $"silo stopping: handing back {running.Count} running attempt(s) ({string.Join(", ", running)}); " +
              "their studies rerun them on another silo, or when the cluster starts again";
    }
}
