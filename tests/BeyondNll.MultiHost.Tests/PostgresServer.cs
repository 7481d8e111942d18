using System.Diagnostics;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// A throw-away PostgreSQL server: initdb in a temporary folder of its own, a free port on loopback,
/// its socket in that folder, trust authentication for the user "bnll"; stopped and deleted on dispose.
/// Needs Debian's postgresql package (.ci/run installs it). PostgreSQL refuses to run as root, so
/// under root the server runs as the package's "postgres" user, which then owns the folder.
/// </summary>
public sealed class PostgresServer : IClusterStore
{
    const string User = "bnll";

    readonly string folder;
    readonly string bin;
    bool running;

    public int Port { get; } = ChildProcess.FreePort();

    public string Clustering => "postgres";

    public string Connection => $"Host=127.0.0.1;Port={Port};Username={User};Database=postgres";

    string Data => Path.Combine(folder, "data");

    public string LogPath => Path.Combine(folder, "postgres.log");

    PostgresServer(string folder, string bin)
    {
        this.folder = folder;
        this.bin = bin;
    }

    public static async Task<PostgresServer> Start()
    {
        var server = new PostgresServer(Directory.CreateTempSubdirectory("bnll-pg-").FullName, BinDirectory());
        try
        {
            if (Environment.IsPrivilegedProcess) await Run("chown", ["postgres:postgres", server.folder]);
            await server.AsServerUser(Path.Combine(server.bin, "initdb"),
                ["-D", server.Data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
            await server.Restart();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same port and data: what it stored is there.</summary>
    public async Task Restart()
    {
        // fsync off: the data must outlive a server restart, not a machine crash.
        await AsServerUser(Path.Combine(bin, "pg_ctl"), ["-D", Data, "-l", LogPath, "-w", "-t", "60", "start",
            "-o", $"-p {Port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"]);
        running = true;
    }

    /// <summary>A fast shutdown: clients are disconnected, the data is written.</summary>
    public async Task Stop(TimeSpan patience)
    {
        await AsServerUser(Path.Combine(bin, "pg_ctl"), ["-D", Data, "-m", "fast", "-w", "-t", ((int)patience.TotalSeconds).ToString(), "stop"]);
        running = false;
    }

    public void Dispose()
    {
        if (running)
        {
            try
            {
                AsServerUser(Path.Combine(bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]).Wait(TimeSpan.FromSeconds(30));
            }
            catch (Exception) { }
            running = false;
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException) { }
    }

    /// <summary>
    /// The newest PostgreSQL's programs: initdb on the PATH, else Debian's /usr/lib/postgresql/VERSION/bin.
    /// </summary>
    static string BinDirectory()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "initdb")).FirstOrDefault(File.Exists);
        if (onPath is not null) return Path.GetDirectoryName(Path.GetFullPath(ResolveLink(onPath)))!;
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d).Split('.')[0], out var v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                .OrderByDescending(d => d.Version).Select(d => Path.Combine(d.Dir, "bin")).FirstOrDefault()
            : null;
        return debian ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: no initdb on the PATH or under /usr/lib/postgresql/*/bin (apt-get install postgresql)");
    }

    static string ResolveLink(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    /// <summary>Runs a PostgreSQL program as the folder's owner: "postgres" under root, else this user.</summary>
    Task AsServerUser(string program, IEnumerable<string> arguments) =>
        Environment.IsPrivilegedProcess ? Run("runuser", ["-u", "postgres", "--", program, .. arguments]) : Run(program, arguments);

    static async Task Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }
}

/// <summary>One throw-away server with the cluster's schema for all the tests of a class.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.Start();
        await BeyondNll.Silo.Hosting.Postgres.PostgresSchema.ApplyAsync(Server.Connection);
    }

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }
}
