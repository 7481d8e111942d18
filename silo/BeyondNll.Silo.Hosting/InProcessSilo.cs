using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BeyondNll.Silo.Hosting;

/// <summary>
/// A silo inside the calling process, for `bnll quickstart` and other one-machine runs that
/// should need nothing started beforehand. It is a full silo (storage, devices, placement) on free
/// loopback ports, so it does not collide with a silo already running on the default ports.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    readonly IHost host;

    InProcessSilo(IHost host) => this.host = host;

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    /// <summary>The silo's services (its grain storage, for the storage benchmark).</summary>
    public IServiceProvider Services => host.Services;

    public static async Task<InProcessSilo> StartAsync(ClusterSiloOptions options, CancellationToken cancellation = default)
    {
        options.SiloPort = FreePort();
        options.GatewayPort = FreePort();
        options.PrimarySiloPort = options.SiloPort;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo.UseBeyondNllLocalhostClustering(options).AddBeyondNllCluster(options));
        var host = builder.Build();
        await host.StartAsync(cancellation);
        return new InProcessSilo(host);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync(TimeSpan.FromSeconds(30));
        host.Dispose();
    }
}
