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
        Assert.True(clock.Elapsed < GivesUp, $"took {clock.Elapsed}");
        Assert.Equal($"no silo answers at localhost:{port}: start one with `dotnet run --project silo/BeyondNll.Silo`", e.Message);
    }

    /// <summary>
    /// Gives up rather than retrying for ever: well within this bound (a 2–5 s deadline plus the process's
    /// start), which is loose because the machines CI runs on are shared and a process start alone has
    /// taken 6 s there (a hang would run past it).
    /// </summary>
    static readonly TimeSpan GivesUp = TimeSpan.FromSeconds(60);

    /// <summary>The real console, as a user runs it: exit 3 and the message on stderr, after its connect deadline rather than a hang.</summary>
    [Theory]
    [InlineData("search", "list")]
    [InlineData("search", "status", "s1", "--json")]
    [InlineData("cluster")]
    [InlineData("search", "logs", "s1", "--trial", "0")]
    [InlineData("export", "s1", "--format", "hf", "--out", "never-written")]
    [InlineData("best", "--backbone", "tiny")]
    public async Task A_cluster_command_without_a_silo_exits_3(params string[] command)
    {
        var port = FreePort();
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = await Bnll([.. command, "--gateway", $"localhost:{port}"]);
        Assert.True(clock.Elapsed < GivesUp, $"took {clock.Elapsed}");
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

    /// <summary>The continuum commands check their input before any connection or work: exit 2, the problem named.</summary>
    [Theory]
    [InlineData("--plot 'map.txt' must end in .png", "continuum", "--plot", "map.txt")]
    [InlineData("--data file 'nowhere.jsonl' not found", "recommend", "--backbone", "b", "--data", "nowhere.jsonl")]
    [InlineData("--metric 'bleu' is unknown", "recommend", "--backbone", "b", "--data", "nowhere.jsonl", "--metric", "bleu")]
    [InlineData("--confirm-seeds must be at least 2, got 1", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--confirm-seeds", "1")]
    [InlineData("--confirm must be at least 0, got -1", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--confirm", "-1")]
    [InlineData("--warm-start 'neighbours' is unknown", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--warm-start", "neighbours")]
    [InlineData("--dtype: unknown weight dtype 'fp16'; use float32 or bfloat16", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--dtype", "fp16")]
    [InlineData("--lora-rank must be 0 (no LoRA) or positive, got -4", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--lora-rank", "-4")]
    [InlineData("--lora-targets: unknown LoRA target module 'qkv_proj'", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--lora-rank", "4", "--lora-targets", "qkv_proj")]
    [InlineData("--lora-alpha must be positive, got 0", "train", "--backbone", "b", "--train", "x", "--val", "x", "--objective", "nll", "--lora-rank", "4", "--lora-alpha", "0")]
    [InlineData("--lr-ladder: 'oops' is not a learning rate", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--lr-ladder", "1e-4,oops")]
    [InlineData("--test is the --val file", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "v", "--test", "v")]
    [InlineData("--trials 2 is fewer than the 3 trials the protocol enqueues", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--trials", "2")]
    [InlineData("--lr-ladder: 0.01 is outside the space's lr", "demo", "--quick", "--lr-ladder", "1e-4,1e-2")]
    [InlineData("--format hf needs --out DIR: the folder to write the model into", "export", "s1", "--format", "hf")]
    [InlineData("--out . exists and is not empty; name a new folder", "export", "s1", "--format", "hf", "--out", ".")]
    [InlineData("--checkpoint-every must be 0 (the silo's setting) or positive, got -3", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--set", "checkpoint_every=-3")]
    [InlineData("--keep-models must be at least 1, got 0", "search", "start", "s1", "--backbone", "b", "--train", "x", "--val", "x", "--keep-models", "0")]
    [InlineData("--pretrain-steps: give at least two backbones, got 1", "demo", "--pretrain-steps", "5")]
    [InlineData("--pretrain-steps: 'five' is not a number of steps", "demo", "--pretrain-steps", "5,five")]
    [InlineData("--confirm-seeds must be at least 2, got 1", "demo", "--quick", "--confirm-seeds", "1")]
    [InlineData("FILE 'weights.svg' must end in .png", "objective", "plot", "weights.svg")]
    public async Task Bad_continuum_input_is_refused_before_connecting(string expected, params string[] command)
    {
        var (exit, stdout, stderr) = await Bnll(command.Contains("demo") || command.Contains("objective") || command[0] == "train" ? command
            : [.. command, "--gateway", $"localhost:{FreePort()}"]);
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.Contains($"error: {expected}", stderr);
        Assert.DoesNotContain("wrote", stdout);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task A_connect_timeout_that_is_no_positive_number_of_seconds_is_bad_input(string value)
    {
        var (exit, _, stderr) = await Bnll(["cluster", "--gateway", $"localhost:{FreePort()}"],
            new() { [ClusterConnection.ConnectTimeoutVariable] = value });
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.Contains($"error: BNLL_CONNECT_TIMEOUT must be a number of seconds in (0, 3600], got '{value}'", stderr);
    }

    [Fact]
    public void The_connect_timeout_is_the_variables_seconds_or_five()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), ClusterConnection.ParseDeadline(null));
        Assert.Equal(TimeSpan.FromSeconds(5), ClusterConnection.ParseDeadline(" "));
        Assert.Equal(TimeSpan.FromSeconds(30), ClusterConnection.ParseDeadline("30"));
        Assert.Equal(TimeSpan.FromSeconds(2.5), ClusterConnection.ParseDeadline("2.5"));
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

    static Task<(int Exit, string Stdout, string Stderr)> Bnll(string[] args, Dictionary<string, string>? environment = null) =>
        BnllProcess.Run(TimeSpan.FromSeconds(30), args, environment);
}
