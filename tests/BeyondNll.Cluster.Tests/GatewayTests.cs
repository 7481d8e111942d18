using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BeyondNll.Client.Cluster;
using BeyondNll.Client.Commands;

namespace BeyondNll.Cluster.Tests;

/// <summary>The gateway address, and what the console does when no silo answers there.</summary>
public class GatewayTests
{
    [Theory]
    [InlineData("localhost:30000", "localhost", 30000)]
    [InlineData("10.0.0.5:31000", "10.0.0.5", 31000)]
    [InlineData("gpu-host", "gpu-host", 30000)]
    [InlineData("[::1]:30001", "::1", 30001)]
    [InlineData("::1", "::1", 30000)]
    public void Parses_host_and_port(string text, string host, int port)
    {
        Assert.Equal(new GatewayAddress(host, port), GatewayAddress.Parse(text));
    }

    [Fact]
    public void Parses_a_list_of_gateways()
    {
        Assert.Equal([new("a", 30000), new("b", 31000)], GatewayAddress.ParseList(" a, b:31000 "));
        Assert.Throws<ArgumentException>(() => GatewayAddress.ParseList(" , "));
    }

    [Theory]
    [InlineData("localhost:0")]
    [InlineData("localhost:70000")]
    [InlineData("localhost:http")]
    [InlineData(":30000")]
    [InlineData("[::1")]
    public void Refuses_what_is_no_gateway(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => GatewayAddress.Parse(text));
        Assert.Contains("--gateway", e.Message);
    }

    [Fact]
    public async Task Connecting_where_no_silo_listens_fails_within_seconds_with_a_hint()
    {
        var port = FreePort();
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ClusterUnreachableException>(() =>
            ClusterConnection.ConnectAsync($"localhost:{port}", CancellationToken.None, TimeSpan.FromSeconds(2)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal($"no silo answers at localhost:{port}: start one with `dotnet run --project silo/BeyondNll.Silo`", e.Message);
    }

    /// <summary>The real console, as a user runs it: exit 3 and the message on stderr, within ~10 s.</summary>
    [Theory]
    [InlineData("search", "list")]
    [InlineData("search", "status", "s1", "--json")]
    [InlineData("cluster")]
    [InlineData("best", "--backbone", "tiny")]
    public async Task A_cluster_command_without_a_silo_exits_3(params string[] command)
    {
        var port = FreePort();
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = await Bnll([.. command, "--gateway", $"localhost:{port}"]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(CommandLineExit.Unreachable, exit);
        Assert.Equal("", stdout);
        Assert.Contains($"error: no silo answers at localhost:{port}: start one with `dotnet run --project silo/BeyondNll.Silo`", stderr);
    }

    [Fact]
    public async Task Bad_input_is_refused_before_connecting()
    {
        var (exit, _, stderr) = await Bnll(["search", "start", "s1", "--backbone", "b", "--train", "nowhere.jsonl", "--val", "x",
            "--gateway", $"localhost:{FreePort()}"]);
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.Contains("--train file 'nowhere.jsonl' not found", stderr);
    }

    [Fact]
    public async Task A_TLS_certificate_that_cannot_be_used_is_bad_input()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"bnll-{Guid.NewGuid():N}.pfx");
        var (exit, _, stderr) = await Bnll(["cluster", "--gateway", $"localhost:{FreePort()}"],
            new() { [ClusterConnection.TlsCertificateVariable] = missing });
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.Contains($"error: TLS certificate file '{missing}' does not exist", stderr);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs bnll.dll, which the project reference copies next to the tests.</summary>
    static async Task<(int Exit, string Stdout, string Stderr)> Bnll(string[] args, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bnll.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("BNLL_GATEWAY");
        start.Environment.Remove(ClusterConnection.TlsCertificateVariable);
        foreach (var (name, value) in environment ?? []) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
