using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using BeyondNll.Silo.Hosting.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace BeyondNll.Client.Cluster;

/// <summary>
/// An Orleans client connected to the cluster through one gateway. Orleans retries a failed
/// connection for ever unless told otherwise; a console command must instead fail within seconds
/// with a hint, so the retry filter gives up at a deadline.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>The cluster's identity by default; a silo with another one refuses the client (see ClusterSiloOptions).</summary>
    public const string ClusterId = "bnll";
    public const string ServiceId = "bnll";

    /// <summary>The cluster id to connect with when no --cluster-id is given (that of silos started with --cluster-id ID).</summary>
    public const string ClusterIdVariable = "BNLL_CLUSTER_ID";

    /// <summary>$BNLL_CLUSTER_ID, else <see cref="ClusterId"/>.</summary>
    public static string ClusterIdFromEnvironment() =>
        Environment.GetEnvironmentVariable(ClusterIdVariable) is { Length: > 0 } id ? id.Trim() : ClusterId;

    /// <summary>The cluster's TLS certificate (a PFX file) when its silos run with one, and the file's password.</summary>
    public const string TlsCertificateVariable = "BNLL_TLS_CERTIFICATE";
    public const string TlsPasswordVariable = "BNLL_TLS_PASSWORD";

    /// <summary>How long to keep trying to reach a gateway before giving up, unless $BNLL_CONNECT_TIMEOUT says otherwise.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(5);

    /// <summary>Seconds a command keeps trying to reach a gateway (a busy machine's silo may need more than the default).</summary>
    public const string ConnectTimeoutVariable = "BNLL_CONNECT_TIMEOUT";

    /// <summary>$BNLL_CONNECT_TIMEOUT as a deadline, else <see cref="DefaultDeadline"/>.</summary>
    /// <exception cref="ArgumentException">A value that is no positive number of seconds.</exception>
    public static TimeSpan DeadlineFromEnvironment() => ParseDeadline(Environment.GetEnvironmentVariable(ConnectTimeoutVariable));

    public static TimeSpan ParseDeadline(string? seconds)
    {
        if (string.IsNullOrWhiteSpace(seconds)) return DefaultDeadline;
        return double.TryParse(seconds.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
               && s > 0 && s <= 3600
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{ConnectTimeoutVariable} must be a number of seconds in (0, 3600], got '{seconds}'");
    }

    static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    readonly IHost host;

    ClusterConnection(IHost host) => this.host = host;

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    /// <param name="gateways">host:port, or several separated by commas: the client moves to another when one goes away.</param>
    /// <param name="tls">The cluster's certificate for TLS; null: the file named by $BNLL_TLS_CERTIFICATE, if any (else no TLS).</param>
    /// <exception cref="ArgumentException">A gateway that is not host:port, or a certificate that cannot be used.</exception>
    /// <param name="clusterId">The silos' --cluster-id; null: <see cref="ClusterIdFromEnvironment"/>.</param>
    /// <param name="deadline">How long to keep trying; null: <see cref="DeadlineFromEnvironment"/>.</param>
    /// <exception cref="ClusterUnreachableException">No silo answered before the deadline (or none accepted the connection's TLS or cluster id).</exception>
    public static async Task<ClusterConnection> ConnectAsync(string gateways, CancellationToken ct, TimeSpan? deadline = null,
        X509Certificate2? tls = null, string? clusterId = null)
    {
        var addresses = GatewayAddress.ParseList(gateways);
        clusterId ??= ClusterIdFromEnvironment();
        if (string.IsNullOrWhiteSpace(clusterId)) throw new ArgumentException("--cluster-id must not be empty");
        tls ??= CertificateFromEnvironment();
        var endpoints = new List<IPEndPoint>();
        foreach (var address in addresses) endpoints.Add(await address.ResolveAsync(ct));
        var patience = deadline ?? DeadlineFromEnvironment();
        var giveUpAt = DateTimeOffset.UtcNow + patience;

        // No default configuration sources and no console logging: Orleans' log lines would mix
        // with the command's output. The quiet lifetime leaves Ctrl-C to the command line.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering([.. endpoints]);
            client.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = ServiceId; });
            client.Configure<ConnectionOptions>(o => o.OpenConnectionTimeout = patience);
            if (tls is not null) client.UseTls(options => ClusterCertificate.Configure(options, tls));
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                if (DateTimeOffset.UtcNow + RetryDelay >= giveUpAt) return false;
                await Task.Delay(RetryDelay, token);
                return true;
            });
        });
        var host = builder.Build();

        // A hard stop as well, in case a connection attempt hangs past the filter's deadline.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(patience + TimeSpan.FromSeconds(5));
        try
        {
            await host.StartAsync(timeout.Token);
            return new ClusterConnection(host);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            host.Dispose();
            var where = string.Join(", ", addresses);
            // Something listens but would not let this client in: most likely a silo of another
            // cluster (its --cluster-id), or one that wants the cluster's TLS certificate.
            throw new ClusterUnreachableException(await AnyListensAsync(endpoints)
                ? $"the silo at {where} did not let this client in: it may belong to another cluster (this client's cluster id is " +
                  $"'{clusterId}'; give the silos' with --cluster-id or ${ClusterIdVariable}), or want the cluster's TLS certificate (${TlsCertificateVariable})"
                : $"no silo answers at {where}: start one with `dotnet run --project silo/BeyondNll.Silo`", e);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Whether any of the gateways accepts a plain TCP connection within a second.</summary>
    static async Task<bool> AnyListensAsync(IEnumerable<IPEndPoint> endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await probe.ConnectAsync(endpoint, timeout.Token);
                return true;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
            }
        }
        return false;
    }

    static X509Certificate2? CertificateFromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable(TlsCertificateVariable);
        return string.IsNullOrWhiteSpace(path) ? null : ClusterCertificate.Load(path, Environment.GetEnvironmentVariable(TlsPasswordVariable));
    }

    public async ValueTask DisposeAsync()
    {
        // Closing politely lets the gateway drop the client at once; a cluster gone meanwhile must
        // not turn a finished command into a failure.
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await host.StopAsync(timeout.Token);
        }
        catch (Exception) { }
        host.Dispose();
    }

    sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
