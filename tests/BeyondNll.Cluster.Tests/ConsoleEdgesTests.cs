using System.Net;
using System.Net.Sockets;
using BeyondNll.Client.Commands;

namespace BeyondNll.Cluster.Tests;

/// <summary>The console's edges that need no silo: "did you mean", `db init`'s connection, the cluster id, the help text.</summary>
public class ConsoleEdgesTests
{
    static Task<(int Exit, string Stdout, string Stderr)> Bnll(string[] args, Dictionary<string, string>? environment = null) =>
        BnllProcess.Run(TimeSpan.FromSeconds(60), args, environment);

    [Theory]
    [InlineData("did you mean search?", "serch", "list")]
    [InlineData("did you mean list?", "search", "lst")]
    [InlineData("did you mean --gateway?", "search", "list", "--gatway", "x")]
    public async Task A_misspelt_command_or_flag_gets_a_suggestion_and_exit_2(string suggestion, params string[] args)
    {
        var (exit, stdout, stderr) = await Bnll(args);
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Contains(suggestion, stderr.Split('\n'));
    }

    [Fact]
    public async Task Db_init_reads_the_silos_connection_variable_when_no_flag_is_given()
    {
        var (exit, _, stderr) = await Bnll(["db", "init"]);
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.Contains("error: give the PostgreSQL server with --connection \"Host=...;Database=...\" or in $BNLL_Silo__Connection", stderr);

        var closed = FreePort();
        (exit, _, stderr) = await Bnll(["db", "init"], new() { ["BNLL_Silo__Connection"] = $"Host=127.0.0.1;Port={closed};Username=bnll;Database=fromenv" });
        Assert.Equal(CommandLineExit.BadInput, exit);
        Assert.Contains($"error: cannot use PostgreSQL at 127.0.0.1:{closed}/fromenv", stderr);
    }

    /// <summary>Something listens at the gateway but is no silo of this cluster: the message says which cluster id the client asked for.</summary>
    [Fact]
    public async Task A_gateway_that_does_not_let_the_client_in_names_the_cluster_id_it_asked_for()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepting = Task.Run(async () =>
        {
            var held = new List<TcpClient>();
            try { while (true) held.Add(await listener.AcceptTcpClientAsync()); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            foreach (var c in held) c.Dispose();
        });
        var (exit, _, stderr) = await Bnll(["cluster", "--gateway", $"localhost:{port}"], new() { ["BNLL_CLUSTER_ID"] = "lab" });
        listener.Stop();
        await accepting;
        Assert.Equal(CommandLineExit.Unreachable, exit);
        Assert.Contains($"error: the silo at localhost:{port} did not let this client in: it may belong to another cluster (this client's cluster id is 'lab'", stderr);
    }

    [Fact]
    public async Task Help_names_only_what_a_clone_has()
    {
        var (exit, stdout, _) = await Bnll(["bench", "--help"]);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("shared/bench", stdout);
        Assert.Contains("docs/benchmarks.md", stdout);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A failure that is not the user's doing (a bug, or one the cluster could not send back whole) is one line and exit 1, not a stack trace.</summary>
    [Fact]
    public async Task An_unexpected_failure_is_one_line_and_exit_1()
    {
        var root = new System.CommandLine.RootCommand();
        var failing = new System.CommandLine.Command("fail");
        failing.SetAction((_, _) => throw new InvalidOperationException("Could not find a codec for type X.\n   at Somewhere()"));
        root.Subcommands.Add(failing);
        var error = new StringWriter();
        var before = Console.Error;
        Console.SetError(error);
        int exit;
        try
        {
            exit = await CommandLineExit.RunAsync(root, ["fail"]);
        }
        finally
        {
            Console.SetError(before);
        }
        Assert.Equal(CommandLineExit.Failed, exit);
        var text = error.ToString();
        Assert.Contains("error: InvalidOperationException: Could not find a codec for type X.", text);
        Assert.Contains($"{CommandLineExit.TraceVariable}=1 prints the whole trace", text);
        Assert.DoesNotContain("at Somewhere()", text);
    }
}
