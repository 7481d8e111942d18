using System.CommandLine;
using System.Globalization;
using BeyondNll.Silo.Hosting;
using BeyondNll.Silo.Hosting.CommandLine;

/// <summary>
/// The silo's flags, through System.CommandLine as `bnll`'s are: each is the command-line form of a
/// setting of <see cref="ClusterSiloOptions"/>, which appsettings.json (section "Silo") and the
/// environment (BNLL_Silo__NAME) can also give; a flag wins. `--help` lists every flag with its
/// setting and default. A flag that is not one, or a value of the wrong kind, is refused in one line.
/// </summary>
static class SiloFlags
{
    /// <summary>A flag and the setting it gives: its name in ClusterSiloOptions and how its value is written there.</summary>
    sealed record Flag(Option Option, string Setting, Func<ParseResult, string> Value);

    static readonly ClusterSiloOptions Defaults = new();

    static readonly Flag[] Flags =
    [
        Text("--devices", nameof(ClusterSiloOptions.Devices),
            "Where trials train: auto (every CUDA device; without one, one CPU slot per core of --cores), cpu:N, cuda, cuda:0,1, " +
            "or simulated:N (the simulated workload only)."),
        Number("--threads-per-slot", nameof(ClusterSiloOptions.ThreadsPerSlot),
            "libtorch threads per slot; 0 = the silo's cores (--cores) divided among its CPU slots, 2 per CUDA slot."),
        Number("--cores", nameof(ClusterSiloOptions.Cores),
            "CPU cores this silo uses; 0 = all of the machine's. Silos that share a machine share its cores by each taking a part " +
            "(two silos on 4 cores: --cores 2 each)."),
        Text("--data-dir", nameof(ClusterSiloOptions.DataDirectory), "Folder of the cluster's state (SQLite, with localhost clustering)."),
        Number("--silo-port", nameof(ClusterSiloOptions.SiloPort), "This silo's port for other silos."),
        Number("--gateway-port", nameof(ClusterSiloOptions.GatewayPort), "This silo's port for clients (`bnll --gateway`)."),
        Number("--primary-silo-port", nameof(ClusterSiloOptions.PrimarySiloPort),
            "With localhost clustering: the silo port of the first silo, which later silos on this machine join (a silo on another port refuses to start when none listens there; this port = --silo-port makes it the first)."),
        Number("--dashboard-port", nameof(ClusterSiloOptions.DashboardPort),
            "The study pages (/studies), /metrics, /healthz and the Orleans dashboard (/dashboard) at http://localhost:PORT; 0 turns them off."),
        Text("--dashboard-address", nameof(ClusterSiloOptions.DashboardAddress),
            "Where the dashboard port listens: localhost, or an IP address (0.0.0.0: every interface), which needs --dashboard-token."),
        Text("--dashboard-token", nameof(ClusterSiloOptions.DashboardToken),
            "The access token (16 characters at least) every request but /healthz must carry; better BNLL_Silo__DashboardToken."),
        Text("--otlp-endpoint", nameof(ClusterSiloOptions.OtlpEndpoint),
            "An OpenTelemetry collector (OTLP/gRPC, http://collector:4317) for the silo's metrics and traces; or OTEL_EXPORTER_OTLP_ENDPOINT."),
        Text("--cluster-id", nameof(ClusterSiloOptions.ClusterId), "The cluster's id; clients must give the same (`bnll --cluster-id`, BNLL_CLUSTER_ID)."),
        Text("--service-id", nameof(ClusterSiloOptions.ServiceId), "The Orleans service id."),
        Text("--clustering", nameof(ClusterSiloOptions.Clustering),
            "localhost (one machine, state in SQLite), or postgres or redis (several hosts sharing that server)."),
        Text("--connection", nameof(ClusterSiloOptions.Connection),
            "With postgres: an Npgsql connection string; with redis: a StackExchange.Redis one. A password is best in BNLL_Silo__Connection."),
        Text("--advertise-ip", nameof(ClusterSiloOptions.AdvertiseIp),
            "With postgres or redis: the address other silos reach this one at; a non-loopback address also listens on all interfaces."),
        Text("--tls-certificate", nameof(ClusterSiloOptions.TlsCertificate), "A PFX file that turns on TLS between silos and with clients."),
        Text("--tls-password", nameof(ClusterSiloOptions.TlsPassword), "The PFX file's password (better BNLL_Silo__TlsPassword)."),
        Switch("--fast-failure-detection", nameof(ClusterSiloOptions.FastFailureDetection),
            "Declare a silo that stopped answering dead within seconds (for one machine and quiet networks)."),
        Text("--artifacts", nameof(ClusterSiloOptions.Artifacts),
            "Folder of the studies' checkpoints, kept models and attempt logs; none = artifacts under --data-dir. " +
            "With several hosts, storage they all share, so that an attempt rerun elsewhere resumes its checkpoint."),
        Number("--checkpoint-every", nameof(ClusterSiloOptions.CheckpointEvery),
            "Steps between a trial's checkpoints when its recipe's checkpoint_every is 0; 0 = every 5% of the trial's steps."),
        Number("--checkpoint-min-seconds", nameof(ClusterSiloOptions.CheckpointMinSeconds),
            "With the default interval (5% of the steps) only: at least this many seconds of training between checkpoints, " +
            "so that a shorter trial writes none; 0 = every 5% however short."),
        Text("--worker", nameof(ClusterSiloOptions.Worker),
            "The worker program each torch attempt runs in (BeyondNll.Worker.dll); none = the one built beside the silo."),
        Number("--worker-memory-mb", nameof(ClusterSiloOptions.WorkerMemoryMb),
            "A worker whose resident memory passes this many MiB is stopped and its trial fails as out of memory (not retried); 0 = no limit."),
    ];

    /// <summary>
    /// Reads the flags: the settings they give (as "Silo:Name" keys), or the exit code when there is
    /// nothing to start — 0 after --help or --version, 2 after a line naming a bad flag or value.
    /// </summary>
    public static (IReadOnlyDictionary<string, string?> Settings, int? Exit) Read(string[] args)
    {
        var root = new RootCommand(
            "The silo host of BeyondNll.Cluster: trials train on its devices, and `bnll` reaches it at its gateway.\n" +
            $"Each flag is also a setting: in appsettings.json (section {ClusterSiloOptions.Section}) or the environment " +
            $"(BNLL_{ClusterSiloOptions.Section}__NAME=VALUE, e.g. BNLL_{ClusterSiloOptions.Section}__Devices=cpu:2); a flag wins.");
        foreach (var flag in Flags) root.Options.Add(flag.Option);
        root.SetAction(_ => 0);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"silo: {parsed.Errors[0].Message.TrimEnd('.')}{TypoSuggestions.Hint(parsed)}; see --help");
            return (new Dictionary<string, string?>(), 2);
        }
        if (!ReferenceEquals(parsed.Action, root.Action)) return (new Dictionary<string, string?>(), parsed.Invoke()); // --help, --version
        return (Flags.Where(f => parsed.GetResult(f.Option) is { Implicit: false })
            .ToDictionary(f => $"{ClusterSiloOptions.Section}:{f.Setting}", f => (string?)f.Value(parsed)), null);
    }

    static Flag Text(string name, string setting, string description)
    {
        var option = new Option<string>(name) { Description = Describe(description, setting), HelpName = "VALUE" };
        return new Flag(option, setting, parsed => parsed.GetValue(option)!);
    }

    static Flag Number(string name, string setting, string description)
    {
        var option = new Option<int>(name) { Description = Describe(description, setting), HelpName = "N" };
        return new Flag(option, setting, parsed => parsed.GetValue(option).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>On when named alone, or given true or false.</summary>
    static Flag Switch(string name, string setting, string description)
    {
        var option = new Option<bool>(name) { Description = Describe(description, setting) };
        return new Flag(option, setting, parsed => parsed.GetValue(option) ? "true" : "false");
    }

    /// <summary>The description with the setting's name and its built-in default.</summary>
    static string Describe(string description, string setting)
    {
        var value = typeof(ClusterSiloOptions).GetProperty(setting)!.GetValue(Defaults);
        var shown = value switch
        {
            null => "none",
            bool on => on ? "on" : "off",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
        return $"{description} [setting {ClusterSiloOptions.Section}:{setting}; default: {shown}]";
    }
}
