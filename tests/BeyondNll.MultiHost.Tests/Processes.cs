using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;

namespace BeyondNll.MultiHost.Tests;

/// <summary>A child process whose output goes to a log file; killed if still running on dispose.</summary>
public abstract class ChildProcess : IDisposable
{
    Process? process;

    protected ChildProcess(string logPath) => LogPath = logPath;

    public string LogPath { get; }

    public int Pid => process?.Id ?? 0;

    public bool Running => process is { HasExited: false };

    /// <summary>The exit code once the process has ended by itself within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process!.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    /// <summary>
    /// Starts <paramref name="program"/>, its output appended to the log (exec keeps the pid, so signals
    /// reach it), with <paramref name="environment"/> added to this process's environment.
    /// </summary>
    protected void Launch(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = string.Join(' ', new[] { program }.Concat(arguments).Select(Quote));
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec {command} >> {Quote(LogPath)} 2>&1");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Sends a signal (2: SIGINT, as Ctrl-C; 15: SIGTERM).</summary>
    public void Signal(int signal)
    {
        if (Running) _ = SignalTerm(process!.Id, signal);
    }

    /// <summary>SIGKILL: the host dies on the spot, as in a power cut.</summary>
    public void Kill()
    {
        if (Running) process!.Kill();
        process?.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager stops a program; SIGKILL if it is not gone within <paramref name="patience"/>.</summary>
    public async Task Stop(TimeSpan patience)
    {
        if (!Running) return;
        _ = SignalTerm(process!.Id, 15);
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SignalTerm(int pid, int signal);

    public string Log() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public void Dispose()
    {
        Kill();
        process?.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on the port.</summary>
    public async Task WaitForPort(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (!Running) throw new InvalidOperationException($"the process exited before listening on {port}:\n{Tail()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public string Tail(int lines = 40) => string.Join('\n', Log().Split('\n').TakeLast(lines));
}

/// <summary>
/// The server the silos share for membership and grain state, as `--clustering NAME --connection STRING`
/// names it; it can be stopped and started again under a running cluster, keeping its data.
/// </summary>
public interface IClusterStore : IDisposable
{
    /// <summary>The silo's --clustering value: redis or postgres.</summary>
    string Clustering { get; }

    string Connection { get; }

    Task Stop(TimeSpan patience);

    Task Restart();
}

/// <summary>A throw-away redis-server on a free port, its files in a folder of its own.</summary>
public sealed class RedisServer : ChildProcess, IClusterStore
{
    public string Clustering => "redis";

    readonly string folder;
    readonly bool persistent;

    public int Port { get; } = FreePort();

    public string Connection => $"127.0.0.1:{Port}";

    RedisServer(string folder, bool persistent) : base(Path.Combine(folder, "redis.log"))
    {
        this.folder = folder;
        this.persistent = persistent;
    }

    /// <param name="persistent">Append-only file in the folder, so a restarted server has the data; else memory only.</param>
    public static async Task<RedisServer> Start(string folder, bool persistent = false)
    {
        Directory.CreateDirectory(folder);
        var redis = new RedisServer(folder, persistent);
        await redis.Restart();
        return redis;
    }

    /// <summary>Starts the server (again) on the same port and folder.</summary>
    public async Task Restart()
    {
        Launch("redis-server", ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", folder, "--save", "",
            "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always"]);
        await WaitForPort(Port, TimeSpan.FromSeconds(20));
    }
}

/// <summary>One silo host: `dotnet BeyondNll.Silo.dll --clustering redis|postgres ...` on its own ports.</summary>
public sealed class SiloProcess : ChildProcess
{
    /// <summary>The silo host built next to these tests, in the same configuration (see the project file).</summary>
    public static readonly string Dll = Path.GetFullPath(typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SiloDll").Value!);

    public int SiloPort { get; }
    public int GatewayPort { get; }
    public string Devices { get; }

    SiloProcess(string logPath, int siloPort, int gatewayPort, string devices) : base(logPath)
    {
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        Devices = devices;
    }

    /// <param name="extra">More flags, such as --tls-certificate FILE.</param>
    public static SiloProcess Start(string folder, IClusterStore store, string devices, int? siloPort = null, int? gatewayPort = null,
        IEnumerable<string>? extra = null)
    {
        if (!File.Exists(Dll)) throw new FileNotFoundException($"the silo host is not built at {Dll}");
        var silo = new SiloProcess(Path.Combine(folder, $"silo-{Guid.NewGuid():N}.log"), siloPort ?? FreePort(), gatewayPort ?? FreePort(), devices);
        silo.Launch("dotnet", [Dll, "--clustering", store.Clustering, "--connection", store.Connection,
            "--silo-port", silo.SiloPort.ToString(), "--gateway-port", silo.GatewayPort.ToString(),
            "--devices", devices, "--dashboard-port", "0", "--fast-failure-detection", "--data-dir", folder, .. extra ?? []]);
        return silo;
    }

    /// <summary>
    /// A silo host run with exactly <paramref name="arguments"/> (and <paramref name="environment"/>),
    /// for the host's own edges: its flags, its checks, what it prints.
    /// </summary>
    public static SiloProcess Run(string folder, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        int siloPort = 0, int gatewayPort = 0)
    {
        if (!File.Exists(Dll)) throw new FileNotFoundException($"the silo host is not built at {Dll}");
        Directory.CreateDirectory(folder);
        var silo = new SiloProcess(Path.Combine(folder, $"silo-{Guid.NewGuid():N}.log"), siloPort, gatewayPort, "");
        silo.Launch("dotnet", [Dll, .. arguments], environment);
        return silo;
    }

    /// <summary>
    /// A silo with localhost clustering on free ports (it is its own primary), no dashboard, its state in
    /// <paramref name="folder"/>, and <paramref name="extra"/> flags.
    /// </summary>
    public static SiloProcess StartLocal(string folder, IEnumerable<string>? extra = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        return Run(folder, ["--silo-port", siloPort.ToString(), "--primary-silo-port", siloPort.ToString(), "--gateway-port", gatewayPort.ToString(),
            "--dashboard-port", "0", "--data-dir", folder, .. extra ?? []], environment, siloPort, gatewayPort);
    }

    /// <summary>The line the host prints once it accepts clients.</summary>
    public async Task<string> WaitForReadyLine(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Log().Split('\n').FirstOrDefault(l => l.StartsWith("silo ready:", StringComparison.Ordinal)) is { } line) return line;
            if (!Running) throw new InvalidOperationException($"the silo exited before it was ready:\n{Tail()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no ready line after {timeout}:\n{Tail()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Whether an attempt's silo (its address as status shows it, 127.0.0.1:port@generation) is this host.</summary>
    public bool Runs(string siloAddress) => siloAddress.StartsWith($"127.0.0.1:{SiloPort}@", StringComparison.Ordinal);
}
