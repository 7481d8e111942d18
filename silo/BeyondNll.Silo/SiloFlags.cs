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
    };

    static string Key(string name) => $"{ClusterSiloOptions.Section}:{name}";
}
