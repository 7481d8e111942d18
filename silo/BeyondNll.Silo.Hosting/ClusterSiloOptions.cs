using BeyondNll.Training.Checkpoints;

namespace BeyondNll.Silo.Hosting;

/// <summary>
/// The settings of one silo, from appsettings.json (section "Silo"), environment variables
/// (BNLL_SILO__DEVICES=cpu:2) and flags (--devices cpu:2). The defaults make one machine work with
/// nothing installed: localhost clustering, state in SQLite under the data directory, devices detected.
/// </summary>
public sealed class ClusterSiloOptions
{
    public const string Section = "Silo";

    /// <summary>Where the SQLite database and other state live.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>
    /// localhost (default; more silos on one machine join the first, state in SQLite), or postgres
    /// or redis (membership and grain state on the server of <see cref="Connection"/>: several hosts).
    /// </summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary>
    /// Connection string of the clustering and storage server, when there is one (postgres:
    /// Host=...;Port=...;Username=...;Database=...[;Password=...]; redis: host:port[,password=...]).
    /// </summary>
    public string? Connection { get; set; }

    /// <summary>
    /// A PFX file (certificate and private key) that turns on TLS for silo-to-silo and client
    /// traffic; every silo and client of the cluster uses the same one. None: no TLS.
    /// </summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The password of <see cref="TlsCertificate"/> (better given as BNLL_Silo__TlsPassword than as a flag).</summary>
    public string? TlsPassword { get; set; }

    /// <summary>With postgres or redis clustering: the address other silos reach this one at; 127.0.0.1 suits several silos on one machine.</summary>
    public string AdvertiseIp { get; set; } = "127.0.0.1";

    /// <summary>
    /// Declares a silo that stopped answering dead within a few seconds instead of Orleans' default
    /// (about 15 s or more): for tests and demonstrations on one machine, not for loaded networks.
    /// </summary>
    public bool FastFailureDetection { get; set; }

    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>With localhost clustering: the silo port of the first silo, which later silos join.</summary>
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>
    /// auto (every CUDA device when there are any, else one CPU slot per core of <see cref="Cores"/>),
    /// cpu:N, cuda, cuda:0,1 or simulated:N.
    /// </summary>
    public string Devices { get; set; } = "auto";

    /// <summary>libtorch threads per device slot; 0 = this silo's cores divided among its CPU slots (2 for a CUDA slot).</summary>
    public int ThreadsPerSlot { get; set; }

    /// <summary>
    /// The CPU cores this silo's CPU slots use; 0 = all the machine's. Silos that share a machine
    /// share its cores by each taking a part (two silos on 4 cores: 2 each), so they do not oversubscribe it.
    /// </summary>
    public int Cores { get; set; }

    /// <summary><see cref="Cores"/>, or the machine's when 0.</summary>
    public int CoresInUse => Cores > 0 ? Cores : Environment.ProcessorCount;

    public string ClusterId { get; set; } = "bnll";
    public string ServiceId { get; set; } = "bnll";

    /// <summary>Port of the Orleans dashboard and the study pages (/dashboard, /studies, /metrics, /healthz); 0 turns it off.</summary>
    public int DashboardPort { get; set; } = 8080;

    /// <summary>
    /// The address the dashboard port listens on: localhost by default, so only this machine sees it.
    /// Any other (0.0.0.0, ::, an interface's address) needs <see cref="DashboardToken"/>.
    /// </summary>
    public string DashboardAddress { get; set; } = "localhost";

    /// <summary>
    /// An access token every request to the dashboard port must carry (Authorization: Bearer TOKEN, or
    /// ?token=TOKEN once in a browser, which keeps it in a cookie); /healthz needs none. Better given
    /// as BNLL_Silo__DashboardToken than as a flag. None: no check, allowed on localhost only.
    /// </summary>
    public string? DashboardToken { get; set; }

    /// <summary>
    /// An OpenTelemetry collector (http://collector:4317, OTLP over gRPC; or the environment's
    /// OTEL_EXPORTER_OTLP_ENDPOINT) to send the silo's metrics and traces to; none: metrics on /metrics only.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>How often every silo nudges unfinished studies (so a study outlives the silo it was on).</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Where studies keep their trials' checkpoints, kept models and attempt logs (see ArtifactFolders);
    /// default: "artifacts" under <see cref="DataDirectory"/>. With several hosts, a folder on storage they
    /// all share (NFS, a cluster file system), at any path on each: an attempt rerun on another host then
    /// resumes from its trial's checkpoint, and any host serves logs and exports.
    /// </summary>
    public string? Artifacts { get; set; }

    /// <summary>Steps between a trial's checkpoints when its recipe leaves it to the host (checkpoint_every 0); 0 = every 5% of the trial's steps.</summary>
    public int CheckpointEvery { get; set; }

    /// <summary>
    /// With the default interval only (neither the recipe's checkpoint_every nor <see cref="CheckpointEvery"/>
    /// set): least seconds of training between a trial's checkpoints, so that a short trial writes none;
    /// 0 = every 5% of the steps however short.
    /// </summary>
    public int CheckpointMinSeconds { get; set; } = CheckpointCadence.DefaultMinSeconds;

    /// <summary>
    /// The worker that runs each torch attempt in a process of its own (BeyondNll.Worker.dll); default:
    /// the one beside the silo (a published silo, or its build output), else the repository's build.
    /// </summary>
    public string? Worker { get; set; }

    /// <summary>A worker whose resident memory passes this many MiB is stopped and its trial fails as out of memory (not retried); 0 = no limit.</summary>
    public int WorkerMemoryMb { get; set; }

    public string DatabasePath => Path.Combine(DataDirectory, "cluster.db");

    public string ArtifactsDirectory => string.IsNullOrWhiteSpace(Artifacts) ? Path.Combine(DataDirectory, "artifacts") : Artifacts;

    /// <summary>Whether grain state lives in SQLite under <see cref="DataDirectory"/> (localhost clustering) rather than on a server.</summary>
    public bool KeepsStateLocally => Clustering.Trim().Equals("localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The values that can never work, however the machine looks: ports out of range or equal,
    /// negative thread or core counts, more cores than the machine has. Each message names the flag
    /// (the same setting may have come from appsettings.json or the environment).
    /// </summary>
    /// <exception cref="ArgumentException">The first such value.</exception>
    public void Validate()
    {
        Port("--silo-port", SiloPort);
        Port("--gateway-port", GatewayPort);
        Port("--primary-silo-port", PrimarySiloPort);
        if (DashboardPort != 0) Port("--dashboard-port", DashboardPort, "0 turns the dashboard off");
        if (SiloPort == GatewayPort) throw new ArgumentException($"--silo-port and --gateway-port are both {SiloPort}; give each its own port");
        if (DashboardPort != 0 && (DashboardPort == SiloPort || DashboardPort == GatewayPort))
            throw new ArgumentException($"--dashboard-port {DashboardPort} is also the silo's or gateway's port");
        if (ThreadsPerSlot < 0) throw new ArgumentException($"--threads-per-slot must be 0 (share the cores) or more, got {ThreadsPerSlot}");
        if (Cores < 0) throw new ArgumentException($"--cores must be 0 (all of the machine's) or more, got {Cores}");
        if (Cores > Environment.ProcessorCount)
            throw new ArgumentException($"--cores {Cores}: this machine has {Environment.ProcessorCount} cores");
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("--data-dir must name a folder");
        if (!(WatchdogPeriod > TimeSpan.Zero)) throw new ArgumentException($"the watchdog period must be positive, got {WatchdogPeriod}");
    }

    static void Port(string flag, int port, string? note = null)
    {
        if (port is < 1 or > 65535)
            throw new ArgumentException($"{flag} {port} is not a port: use 1 to 65535" + (note is null ? "" : $" ({note})"));
    }

    static string DefaultDataDirectory()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, "bnll");
    }
}
