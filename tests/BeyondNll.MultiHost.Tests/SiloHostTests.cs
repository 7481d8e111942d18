using System.Net;
using System.Net.Sockets;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using BeyondNll.Grains.Tests;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// The silo host's edges, as a newcomer meets them, each a real `dotnet BeyondNll.Silo.dll` process:
/// --help starts nothing; a misspelt flag, a malformed value, an unwritable data folder, a port
/// already taken are each one line and exit code 2; a started silo says when it is ready and when it
/// stops; settings from the environment still count.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class SiloHostTests : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    readonly string folder = Directory.CreateTempSubdirectory("bnll-silo-host-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Runs the host to its end; its exit code and all it printed.</summary>
    async Task<(int Exit, string Output)> RunToEnd(string[] arguments, Dictionary<string, string>? environment = null)
    {
        using var silo = SiloProcess.Run(folder, arguments, environment);
        var exit = await silo.WaitForExit(Patience);
        return (exit, silo.Log());
    }

    static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Help_lists_every_flag_with_its_setting_and_default_and_starts_nothing()
    {
        var data = Path.Combine(folder, "never-made");
        var (exit, output) = await RunToEnd(["--help"], new() { ["BNLL_Silo__DataDirectory"] = data });
        Assert.Equal(0, exit);
        foreach (var (flag, setting, fallback) in new[]
        {
            ("--devices", "Devices", "auto"), ("--threads-per-slot", "ThreadsPerSlot", "0"), ("--cores", "Cores", "0"),
            ("--data-dir", "DataDirectory", null), ("--silo-port", "SiloPort", "11111"), ("--gateway-port", "GatewayPort", "30000"),
            ("--primary-silo-port", "PrimarySiloPort", "11111"), ("--dashboard-port", "DashboardPort", "8080"),
            ("--cluster-id", "ClusterId", "bnll"), ("--service-id", "ServiceId", "bnll"), ("--clustering", "Clustering", "localhost"),
            ("--connection", "Connection", "none"), ("--advertise-ip", "AdvertiseIp", "127.0.0.1"), ("--tls-certificate", "TlsCertificate", "none"),
            ("--tls-password", "TlsPassword", "none"), ("--fast-failure-detection", "FastFailureDetection", "off"),
        })
        {
            var line = Assert.Single(Lines(output), l => l.TrimStart().StartsWith(flag + " ", StringComparison.Ordinal));
            Assert.Contains($"[setting Silo:{setting}; default: {fallback}", line);
        }
        Assert.DoesNotContain("silo ready", output);
        Assert.False(Directory.Exists(data), "--help made the data folder");
    }

    [Fact]
    public async Task A_misspelt_flag_exits_2_naming_it_in_one_line()
    {
        var (exit, output) = await RunToEnd(["--devcies", "cpu:1", "--data-dir", folder]);
        Assert.Equal(2, exit);
        Assert.Equal("silo: Unrecognized command or argument '--devcies' (did you mean --devices?); see --help", Assert.Single(Lines(output)));
    }

    /// <summary>Values that can never work, from a flag or from the environment: one line naming the problem, no stack trace.</summary>
    [Theory]
    [InlineData("'abc' for option '--silo-port'", "--silo-port", "abc")]
    [InlineData("--dashboard-port 99999 is not a port", "--dashboard-port", "99999")]
    [InlineData("--gateway-port 0 is not a port", "--gateway-port", "0")]
    [InlineData("--threads-per-slot must be 0 (share the cores) or more, got -3", "--threads-per-slot", "-3")]
    [InlineData("--cores 100000: this machine has", "--cores", "100000")]
    [InlineData("--devices: devices 'cpu:0': a silo needs at least one cpu slot", "--devices", "cpu:0")]
    [InlineData("--devices: devices 'gpu:1' is not understood", "--devices", "gpu:1")]
    [InlineData("clustering 'zookeeper' is not known", "--clustering", "zookeeper")]
    [InlineData("'Silo:SiloPort'", "env:BNLL_Silo__SiloPort", "abc")]
    [InlineData("--silo-port 70000 is not a port", "env:BNLL_Silo__SiloPort", "70000")]
    [InlineData("--dashboard-address 0.0.0.0 would show the study pages and the Orleans dashboard beyond this machine: set an access token too", "--dashboard-address", "0.0.0.0")]
    [InlineData("--dashboard-address 'dashboard.lan' is not an IP address or localhost", "--dashboard-address", "dashboard.lan")]
    [InlineData("the dashboard token must have at least 16 characters", "--dashboard-token", "short")]
    [InlineData("--otlp-endpoint 'collector:4317' is not an http(s) URL", "--otlp-endpoint", "collector:4317")]
    public async Task A_value_that_cannot_work_exits_2_in_one_line(string expected, string flag, string value)
    {
        var environment = new Dictionary<string, string>();
        var siloPort = ChildProcess.FreePort().ToString();
        var flags = new Dictionary<string, string>
        {
            ["--data-dir"] = folder, ["--dashboard-port"] = "0",
            ["--silo-port"] = siloPort, ["--primary-silo-port"] = siloPort, ["--gateway-port"] = ChildProcess.FreePort().ToString(),
        };
        if (flag.StartsWith("env:", StringComparison.Ordinal))
        {
            environment[flag[4..]] = value;
            flags.Remove("--silo-port"); // the environment's port, not a flag's
            flags.Remove("--primary-silo-port");
        }
        else flags[flag] = value;
        var (exit, output) = await RunToEnd(flags.SelectMany(f => new[] { f.Key, f.Value }).ToArray(), environment);
        Assert.Equal(2, exit);
        var line = Assert.Single(Lines(output));
        Assert.StartsWith("silo: ", line);
        Assert.Contains(expected, line);
    }

    /// <summary>The study pages, /metrics and /healthz beside the Orleans dashboard on the silo program's dashboard port, as the ready line says.</summary>
    [Fact]
    public async Task A_silo_serves_the_study_pages_metrics_and_health_on_its_dashboard_port()
    {
        var (siloPort, gatewayPort, dashboard) = (ChildProcess.FreePort(), ChildProcess.FreePort(), ChildProcess.FreePort());
        using var silo = SiloProcess.Run(folder, ["--silo-port", siloPort.ToString(), "--primary-silo-port", siloPort.ToString(),
            "--gateway-port", gatewayPort.ToString(), "--dashboard-port", dashboard.ToString(), "--data-dir", folder, "--devices", "simulated:1"],
            siloPort: siloPort, gatewayPort: gatewayPort);
        var ready = await silo.WaitForReadyLine(Patience);
        Assert.EndsWith($"studies http://localhost:{dashboard}/studies, dashboard http://localhost:{dashboard}/dashboard", ready);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{dashboard}") };
        Assert.Equal("active\n", await http.GetStringAsync("/healthz"));
        Assert.Contains("no study yet", await http.GetStringAsync("/studies"));
        Assert.Contains("# TYPE bnll_devices_busy_share gauge", await http.GetStringAsync("/metrics"));
        Assert.True((await http.GetAsync("/dashboard")).IsSuccessStatusCode);
        silo.Signal(15);
        Assert.Equal(0, await silo.WaitForExit(Patience));
    }

    [Fact]
    public async Task A_data_folder_it_cannot_write_to_exits_2_naming_it()
    {
        var file = Path.Combine(folder, "a-file");
        await File.WriteAllTextAsync(file, "in the way");
        var data = Path.Combine(file, "state");
        var (exit, output) = await RunToEnd(["--data-dir", data, "--dashboard-port", "0", "--silo-port", ChildProcess.FreePort().ToString(),
            "--gateway-port", ChildProcess.FreePort().ToString()]);
        Assert.Equal(2, exit);
        Assert.StartsWith($"silo: --data-dir '{data}' is not a folder this silo can write to", Assert.Single(Lines(output)));
    }

    [Fact]
    public async Task A_dashboard_port_in_use_exits_2_naming_it()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (exit, output) = await RunToEnd(["--data-dir", folder, "--dashboard-port", port.ToString(), "--silo-port", ChildProcess.FreePort().ToString(),
            "--gateway-port", ChildProcess.FreePort().ToString()]);
        Assert.Equal(2, exit);
        Assert.StartsWith($"silo: --dashboard-port {port} is in use on 127.0.0.1", Assert.Single(Lines(output)));
    }

    /// <summary>
    /// A silo given only its own ports (meant as a cluster of its own) used to wait to join a primary at
    /// 11111 that was not there: now it is refused at once, saying how to make it the first.
    /// </summary>
    [Fact]
    public async Task A_silo_that_would_join_a_primary_no_one_runs_exits_2_saying_how_to_be_the_first()
    {
        var (siloPort, primary) = (ChildProcess.FreePort(), ChildProcess.FreePort());
        var (exit, output) = await RunToEnd(["--data-dir", folder, "--dashboard-port", "0", "--silo-port", siloPort.ToString(),
            "--primary-silo-port", primary.ToString(), "--gateway-port", ChildProcess.FreePort().ToString()]);
        Assert.Equal(2, exit);
        Assert.Equal($"silo: --primary-silo-port {primary}: no silo listens there for this one (--silo-port {siloPort}) to join; " +
            $"start the first silo on that port, or give --primary-silo-port {siloPort} to make this silo the first", Assert.Single(Lines(output)));
    }

    /// <summary>
    /// The finding: a second silo on the same ports used to start without a word, both listening, and
    /// clients saw the studies in some calls and none in others. Now it is refused, and every client
    /// of the first still sees its study.
    /// </summary>
    [Fact]
    public async Task A_second_silo_on_the_same_ports_is_refused_and_the_first_keeps_serving()
    {
        using var data = new TestData();
        using var first = SiloProcess.StartLocal(data.ClusterData, ["--devices", "simulated:1"]);
        await first.WaitForReadyLine(Patience);
        await using (var connection = await Connect(first.GatewayPort))
            await Grains.Tests.Studies.Started(connection.Client, data, Grains.Tests.Studies.Request(data, "kept", "simulated:0.2", trials: 2, parallel: 1));

        foreach (var (siloPort, gatewayPort, flag) in new[] { (first.SiloPort, ChildProcess.FreePort(), "--silo-port"), (ChildProcess.FreePort(), first.GatewayPort, "--gateway-port") })
        {
            using var second = SiloProcess.Run(data.ClusterData, ["--silo-port", siloPort.ToString(), "--primary-silo-port", first.SiloPort.ToString(),
                "--gateway-port", gatewayPort.ToString(), "--dashboard-port", "0", "--data-dir", data.ClusterData, "--devices", "simulated:1"]);
            Assert.Equal(2, await second.WaitForExit(Patience));
            var port = flag == "--silo-port" ? siloPort : gatewayPort;
            Assert.StartsWith($"silo: {flag} {port} is in use on 127.0.0.1 (another silo, or another program?)", Assert.Single(Lines(second.Log())));
        }

        Assert.True(first.Running);
        for (var i = 0; i < 6; i++)
        {
            await using var client = await Connect(first.GatewayPort);
            Assert.Contains("kept", await client.Client.GetGrain<IStudyRegistryGrain>(0).List());
        }
    }

    /// <summary>
    /// A silo says in one line when it accepts clients and where (cluster, addresses, devices, state,
    /// dashboard), prints neither of the warnings that misled (ServerGC, the watchdog's first tick), and says when it
    /// stops. The devices here come from the environment, as BNLL_Silo__Devices keeps working.
    /// </summary>
    [Fact]
    public async Task A_silo_says_it_is_ready_and_where_then_that_it_stops()
    {
        using var silo = SiloProcess.StartLocal(folder, ["--cluster-id", "edges"], new Dictionary<string, string> { ["BNLL_Silo__Devices"] = "simulated:3" });
        var ready = await silo.WaitForReadyLine(Patience);
        Assert.Equal($"silo ready: cluster edges, silo 127.0.0.1:{silo.SiloPort}, gateway 127.0.0.1:{silo.GatewayPort}, clustering localhost, " +
            $"devices simulated:0, simulated:1, simulated:2 (1 thread each, {Environment.ProcessorCount} cores), " +
            $"state in {Path.Combine(folder, "cluster.db")}, no dashboard", ready);
        await using (var client = await Connect(silo.GatewayPort, "edges", TimeSpan.FromSeconds(5)))
            Assert.Single(await client.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true));

        silo.Signal(15);
        Assert.Equal(0, await silo.WaitForExit(Patience));
        var lines = Lines(silo.Log());
        // The two warnings that misled (a loaded machine may still warn of real stalls, rightly).
        Assert.DoesNotContain(lines, l => l.Contains("ServerGC") || l.Contains("Participant check thread"));
        Assert.Contains("silo stopping: no attempts running", lines);
        Assert.Equal("silo stopped", lines[^1]);
    }

    /// <summary>`--devices auto` on a host without CUDA: one slot per core of the silo's share (--cores), one thread each.</summary>
    [Fact]
    public async Task Auto_devices_take_one_slot_per_core_of_the_silos_share()
    {
        using var silo = SiloProcess.StartLocal(folder, ["--devices", "auto", "--cores", "1"]);
        var ready = await silo.WaitForReadyLine(Patience);
        Assert.Contains("devices cpu:0 (1 thread each, 1 core)", ready);
    }

    static Task<ClusterConnection> Connect(int gatewayPort, string? clusterId = null, TimeSpan? deadline = null) =>
        ClusterConnection.ConnectAsync($"127.0.0.1:{gatewayPort}", CancellationToken.None, deadline ?? TimeSpan.FromSeconds(30), clusterId: clusterId);
}
