using System.CommandLine;
using BeyondNll.Silo.Hosting.Postgres;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll db init [--connection STRING]</c>: creates the cluster's PostgreSQL schema (or brings its
/// queries up to date) ahead of the silos, which also apply it when they start. For a database
/// owner who wants the tables made once, by hand, before any silo may connect.
/// </summary>
public static class DbCommand
{
    public sealed record InitJson(string Server, int Queries);

    public static Command Create()
    {
        var command = new Command("db", "The cluster's PostgreSQL database (several hosts).");
        var connection = new Option<string?>("--connection")
        {
            Description = "The PostgreSQL server, as an Npgsql connection string: \"Host=db.lan;Port=5432;Username=bnll;Database=bnll\" " +
                $"(default: ${ConnectionVariable}, the silos' own setting, which keeps a password off the command line).",
        };
        var json = ClusterCommandLine.Json();
        var init = new Command("init", "Create the tables and the queries Orleans' ADO.NET providers read; running it again is harmless.");
        init.Options.Add(connection);
        init.Options.Add(json);
        init.SetAction((parse, ct) => InitAsync(parse.GetValue(connection) ?? ConnectionFromEnvironment(), parse.GetValue(json), Console.Out, Console.Error, ct));
        command.Subcommands.Add(init);
        return command;
    }

    /// <summary>The variable the silos read their connection string from (section Silo, setting Connection).</summary>
    public const string ConnectionVariable = "BNLL_Silo__Connection";

    /// <exception cref="ArgumentException">Neither --connection nor the variable is given.</exception>
    static string ConnectionFromEnvironment() =>
        new[] { ConnectionVariable, ConnectionVariable.ToUpperInvariant() }.Select(Environment.GetEnvironmentVariable)
            .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))
        ?? throw new ArgumentException($"give the PostgreSQL server with --connection \"Host=...;Database=...\" or in ${ConnectionVariable}");

    /// <returns>0; 2 for a connection string that is not one, or a server that cannot be reached or refuses.</returns>
    public static async Task<int> InitAsync(string connection, bool json, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        AppliedSchema applied;
        try
        {
            applied = await PostgresSchema.ApplyAsync(connection, ct);
        }
        catch (PostgresUnavailableException e)
        {
            await errors.WriteLineAsync($"error: cannot use {e.Message}");
            return CommandLineExit.BadInput;
        }
        if (json) JsonOutput.Write(output, new InitJson(applied.Server, applied.Queries));
        else await output.WriteLineAsync($"schema ready on PostgreSQL at {applied.Server}: membership, grain state and reminder tables, {applied.Queries} queries");
        return 0;
    }
}
