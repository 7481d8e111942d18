using System.Data.Common;
using Npgsql;

namespace BeyondNll.Silo.Hosting.Postgres;

/// <summary>
/// The cluster's PostgreSQL schema (schema.sql, embedded): the tables and the OrleansQuery rows that
/// Orleans' ADO.NET providers read. Applying it is idempotent, so every silo does it at start-up
/// and `bnll db init` does it on demand.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The ADO.NET invariant under which Orleans' providers find Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>How long to wait for the server when the connection string does not say (Npgsql's own default is 15 s).</summary>
    static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    public static string Script { get; } = ReadScript();

    /// <summary>The connection string checked and given a short connect timeout unless it names one.</summary>
    /// <exception cref="ArgumentException">Empty, or not a PostgreSQL connection string.</exception>
    public static string Normalize(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
            throw new ArgumentException("clustering 'postgres' needs --connection \"Host=...;Port=...;Username=...;Database=...\"");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"--connection is not a PostgreSQL connection string: {e.Message}");
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new ArgumentException("--connection names no Host (e.g. \"Host=db.lan;Port=5432;Username=bnll;Database=bnll\")");
        if (!((DbConnectionStringBuilder)builder).ContainsKey("Timeout")) builder.Timeout = (int)DefaultConnectTimeout.TotalSeconds;
        return builder.ConnectionString;
    }

    /// <summary>Creates what is missing and brings the query texts up to date, in one transaction.</summary>
    /// <exception cref="ArgumentException">A bad connection string.</exception>
    /// <exception cref="PostgresUnavailableException">The server could not be reached or refused the schema.</exception>
    public static async Task<AppliedSchema> ApplyAsync(string connection, CancellationToken ct = default)
    {
        var normalized = Normalize(connection);
        var b = new NpgsqlConnectionStringBuilder(normalized);
        var server = $"{b.Host}:{b.Port}/{b.Database ?? b.Username}";
        try
        {
            await using var db = new NpgsqlConnection(normalized);
            await db.OpenAsync(ct);
            await using var transaction = await db.BeginTransactionAsync(ct);
            await using (var command = new NpgsqlCommand(Script, db, transaction))
                await command.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM orleansquery", db);
            return new AppliedSchema(server, Convert.ToInt32(await count.ExecuteScalarAsync(ct)));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new PostgresUnavailableException($"PostgreSQL at {server}: {Describe(e)}", e);
        }
    }

    /// <summary>The server's own words where it gave some (wrong password, no such database), else the connection failure.</summary>
    static string Describe(Exception e) => e switch
    {
        PostgresException p => $"{p.MessageText} ({p.SqlState})",
        { InnerException: { } inner } when e.Message.StartsWith("Failed to connect", StringComparison.Ordinal) || e.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase)
            => $"{e.Message.TrimEnd('.')}: {inner.Message}",
        _ => e.Message,
    };

    static string ReadScript()
    {
        using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream("BeyondNll.Silo.Hosting.Postgres.schema.sql")
            ?? throw new InvalidOperationException("the PostgreSQL schema is not embedded in BeyondNll.Silo.Hosting");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>Where the schema went (host:port/database) and how many provider queries the database now holds.</summary>
public sealed record AppliedSchema(string Server, int Queries);

/// <summary>The PostgreSQL server could not be reached, or refused the connection or the schema.</summary>
public sealed class PostgresUnavailableException(string message, Exception inner) : Exception(message, inner);
