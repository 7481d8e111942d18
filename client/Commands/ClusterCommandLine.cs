using System.CommandLine;
using BeyondNll.Client.Cluster;
using Orleans.Runtime;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// What the cluster commands (backbone, search, best, cluster, export) share: the <c>--gateway</c>
/// and <c>--json</c> options, and a connection that lives as long as one command. Each command's
/// core takes an <see cref="IGrainFactory"/> and a <see cref="TextWriter"/>, so it can be driven
/// in-process against a test cluster without this wiring.
/// </summary>
public static class ClusterCommandLine
{
    public static Option<string> Gateway() => new("--gateway")
    {
        Description = "A silo's gateway, host:port, or several separated by commas (default: $BNLL_GATEWAY, else localhost:30000).",
        DefaultValueFactory = _ => GatewayAddress.FromEnvironment(),
    };

    /// <summary>
    /// <c>--cluster-id</c>: one option, shared by every command that has a <c>--gateway</c>
    /// (<see cref="AddClusterId"/> puts it there), for silos started with <c>--cluster-id ID</c>.
    /// </summary>
    public static readonly Option<string> ClusterId = new("--cluster-id")
    {
        Description = $"The cluster's id, as its silos were started with (default: ${ClusterConnection.ClusterIdVariable}, else {ClusterConnection.ClusterId}).",
        DefaultValueFactory = _ => ClusterConnection.ClusterIdFromEnvironment(),
    };

    /// <summary>Adds <see cref="ClusterId"/> to every command under <paramref name="root"/> that connects to a cluster (has a --gateway).</summary>
    public static void AddClusterId(Command root)
    {
        foreach (var command in root.Subcommands) AddClusterId(command);
        if (root.Options.Any(o => o.Name == "--gateway") && !root.Options.Contains(ClusterId)) root.Options.Add(ClusterId);
    }

    public static Option<bool> Json() => new("--json") { Description = "Print one line of JSON (snake_case)." };

    /// <summary>
    /// A cluster command whose input needs no checks before connecting: its own arguments and
    /// options, a <c>--gateway</c>, and an action that runs <paramref name="run"/> with a connection.
    /// </summary>
    public static Command Create(string name, string description, IEnumerable<Symbol> symbols,
        Func<ParseResult, IGrainFactory, CancellationToken, Task<int>> run)
    {
        var gateway = Gateway();
        var command = new Command(name, description);
        foreach (var symbol in symbols.Append(gateway))
        {
            if (symbol is Argument argument) command.Arguments.Add(argument);
            else command.Options.Add((Option)symbol);
        }
        command.SetAction((parse, ct) => WithClusterAsync(parse, gateway, ct, grains => run(parse, grains, ct)));
        return command;
    }

    /// <summary>
    /// Connects, runs <paramref name="run"/> and disconnects. A cluster that stops answering midway
    /// is "unreachable" (exit 3) like one that never answered; other Orleans faults are failures (exit 1).
    /// </summary>
    public static async Task<int> WithClusterAsync(ParseResult parse, Option<string> gateway, CancellationToken ct,
        Func<IGrainFactory, Task<int>> run)
    {
        await using var connection = await ClusterConnection.ConnectAsync(parse.GetValue(gateway)!, ct, clusterId: parse.GetValue(ClusterId));
        try
        {
            return await run(connection.Client);
        }
        catch (Exception e) when (ClusterRetry.IsTransient(e))
        {
            throw new ClusterUnreachableException($"the cluster stopped answering: {e.Message}", e);
        }
        catch (Exception e) when (e is OrleansException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return CommandLineExit.Failed;
        }
    }

    /// <summary>
    /// A Spectre console that writes to <paramref name="writer"/>: the terminal itself for a wide
    /// terminal (colours, its width), else one for <see cref="TableLayout"/>'s compact layout (plain
    /// text in a file, a pipe, a test's StringWriter).
    /// </summary>
    public static IAnsiConsole AnsiFor(TextWriter writer) => TableLayout.Console(writer);
}
