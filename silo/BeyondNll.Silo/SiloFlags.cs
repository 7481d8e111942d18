using BeyondNll.Silo.Hosting;

/// <summary>The silo's command-line flags, each mapped onto a setting of <see cref="ClusterSiloOptions"/>.</summary>
static class SiloFlags
{
    public static readonly Dictionary<string, string> SwitchMappings = new()
    {
        ["--data-dir"] = Key(nameof(ClusterSiloOptions.DataDirectory)),
        ["--clustering"] = Key(nameof(ClusterSiloOptions.Clustering)),
        ["--connection"] = Key(nameof(ClusterSiloOptions.Connection)),
        ["--silo-port"] = Key(nameof(ClusterSiloOptions.SiloPort)),
        ["--gateway-port"] = Key(nameof(ClusterSiloOptions.GatewayPort)),
        ["--primary-silo-port"] = Key(nameof(ClusterSiloOptions.PrimarySiloPort)),
        ["--devices"] = Key(nameof(ClusterSiloOptions.Devices)),
        ["--threads-per-slot"] = Key(nameof(ClusterSiloOptions.ThreadsPerSlot)),
        ["--cluster-id"] = Key(nameof(ClusterSiloOptions.ClusterId)),
        ["--service-id"] = Key(nameof(ClusterSiloOptions.ServiceId)),
        ["--dashboard-port"] = Key(nameof(ClusterSiloOptions.DashboardPort)),
        ["--dashboard-address"] = Key(nameof(ClusterSiloOptions.DashboardAddress)),
        ["--dashboard-token"] = Key(nameof(ClusterSiloOptions.DashboardToken)),
        ["--otlp-endpoint"] = Key(nameof(ClusterSiloOptions.OtlpEndpoint)),
        ["--advertise-ip"] = Key(nameof(ClusterSiloOptions.AdvertiseIp)),
        ["--fast-failure-detection"] = Key(nameof(ClusterSiloOptions.FastFailureDetection)),
        ["--tls-certificate"] = Key(nameof(ClusterSiloOptions.TlsCertificate)),
        ["--tls-password"] = Key(nameof(ClusterSiloOptions.TlsPassword)),
    };

    /// <summary>Flags that are on when named alone (<c>--fast-failure-detection</c>) as well as with true or false.</summary>
    static readonly HashSet<string> Switches = ["--fast-failure-detection"];

    /// <summary>The arguments with each bare switch given its value, as the configuration reader needs.</summary>
    public static string[] Normalize(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            result.Add(args[i]);
            var valued = i + 1 < args.Length && bool.TryParse(args[i + 1], out _);
            if (Switches.Contains(args[i]) && !valued) result.Add("true");
        }
        return [.. result];
    }

    static string Key(string name) => $"{ClusterSiloOptions.Section}:{name}";
}
