using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BeyondNll.Client.Cluster;

/// <summary>
/// The <c>--gateway host:port</c> of the cluster commands: a host name or IP address (IPv6 in
/// brackets, <c>[::1]:30000</c>) and the silo's gateway port (30000 unless the silo was told otherwise).
/// </summary>
public readonly record struct GatewayAddress(string Host, int Port)
{
    public const int DefaultPort = 30000;
    public const string Default = "localhost:30000";

    /// <summary>The gateway of the environment variable <c>BNLL_GATEWAY</c>, else localhost:30000.</summary>
    public static string FromEnvironment() =>
        Environment.GetEnvironmentVariable("BNLL_GATEWAY") is { Length: > 0 } value ? value : Default;

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>One gateway or several, separated by commas.</summary>
    /// <exception cref="ArgumentException">An empty list, or an entry that is no gateway.</exception>
    public static IReadOnlyList<GatewayAddress> ParseList(string text)
    {
        var entries = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0) throw new ArgumentException("--gateway needs host:port (for example localhost:30000)");
        return entries.Select(Parse).ToList();
    }

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c> or a bare host (default port).</summary>
    /// <exception cref="ArgumentException">Not of that shape, or a port outside 1–65535.</exception>
    public static GatewayAddress Parse(string text)
    {
        var s = text.Trim();
        string host, port;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0) throw Bad(text);
            host = s[1..close];
            port = s[(close + 1)..] is var rest && rest.StartsWith(':') ? rest[1..] : rest.Length == 0 ? "" : throw Bad(text);
        }
        else
        {
            var colon = s.LastIndexOf(':');
            // More than one colon without brackets is a bare IPv6 address.
            if (colon < 0 || s.IndexOf(':') != colon) (host, port) = (s, "");
            else (host, port) = (s[..colon], s[(colon + 1)..]);
        }
        if (host.Length == 0) throw Bad(text);
        if (port.Length == 0) return new GatewayAddress(host, DefaultPort);
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            throw new ArgumentException($"--gateway '{text}': the port must be a number from 1 to 65535");
        return new GatewayAddress(host, number);
    }

    /// <summary>
    /// The endpoint to connect to. IPv4 first: a silo's localhost clustering listens on 127.0.0.1,
    /// while "localhost" may resolve to ::1 first.
    /// </summary>
    /// <exception cref="ClusterUnreachableException">The host name does not resolve.</exception>
    public async Task<IPEndPoint> ResolveAsync(CancellationToken ct)
    {
        if (IPAddress.TryParse(Host, out var literal)) return new IPEndPoint(literal, Port);
        IPAddress[] addresses;
        try { addresses = await Dns.GetHostAddressesAsync(Host, ct); }
        catch (SocketException e) { throw new ClusterUnreachableException($"cannot resolve the gateway host '{Host}': {e.Message}", e); }
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ClusterUnreachableException($"the gateway host '{Host}' has no address");
        return new IPEndPoint(chosen, Port);
    }

    static ArgumentException Bad(string text) =>
        new($"--gateway '{text}' is not host:port (for example localhost:30000 or [::1]:30000)");
}
