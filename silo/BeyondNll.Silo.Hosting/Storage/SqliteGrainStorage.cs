using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace BeyondNll.Silo.Hosting.Storage;

/// <summary>
/// Grain state in an embedded SQLite database: one row per grain and state name, holding the
/// serialized state and an ETag for optimistic concurrency. A write or clear whose ETag is not the
/// stored one fails with <see cref="InconsistentStateException"/>, so two activations of a grain
/// can never overwrite each other's state. The database is created on first use; its folder is the
/// silo's data directory, so state survives restarts.
/// </summary>
/// <remarks>
/// This is the project's own provider rather than Orleans' ADO.NET persistence with SQLite, whose SQL
/// scripts the Orleans packages do not ship. WAL journaling lets several silo processes on one
/// machine share the file.
/// </remarks>
public sealed class SqliteGrainStorage : IGrainStorage, IDisposable
{
    readonly string connectionString;
    readonly IGrainStorageSerializer serializer;
    readonly ILogger logger;
    readonly Lazy<Task> schema;
    readonly Dictionary<string, WriteCount> written = [];

    /// <summary>Writes made through this store and the bytes they wrote, by state name: what `bnll bench study` reports.</summary>
    public readonly record struct WriteCount(long Writes, long Bytes, long LargestBytes);

    public IReadOnlyDictionary<string, WriteCount> Written
    {
        get
        {
            lock (written) return new Dictionary<string, WriteCount>(written);
        }
    }

    public SqliteGrainStorage(string databasePath, IGrainStorageSerializer serializer, ILogger<SqliteGrainStorage> logger)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (folder is not null) Directory.CreateDirectory(folder);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        this.serializer = serializer;
        this.logger = logger;
        schema = new Lazy<Task>(CreateSchemaAsync);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, payload FROM grain_state WHERE grain_id = $grain AND state_name = $state";
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$state", stateName);
        await using var reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            grainState.ETag = reader.GetString(0);
            grainState.State = serializer.Deserialize<T>(new BinaryData((byte[])reader.GetValue(1)));
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.State = Activator.CreateInstance<T>();
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var newETag = Guid.NewGuid().ToString("N");
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        if (grainState.ETag is null)
        {
            // A first write: it must not replace a record that another activation wrote meanwhile.
            command.CommandText = "INSERT OR IGNORE INTO grain_state (grain_id, state_name, etag, payload) VALUES ($grain, $state, $etag, $payload)";
        }
        else
        {
            command.CommandText = "UPDATE grain_state SET etag = $etag, payload = $payload WHERE grain_id = $grain AND state_name = $state AND etag = $expected";
            command.Parameters.AddWithValue("$expected", grainState.ETag);
        }
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$etag", newETag);
        command.Parameters.AddWithValue("$payload", payload);
        if (await command.ExecuteNonQueryAsync() != 1)
            throw await Conflict(connection, "write", stateName, grainId, grainState.ETag);
        grainState.ETag = newETag;
        grainState.RecordExists = true;
        lock (written)
        {
            var before = written.GetValueOrDefault(stateName);
            written[stateName] = new WriteCount(before.Writes + 1, before.Bytes + payload.Length, Math.Max(before.LargestBytes, payload.Length));
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await OpenAsync();
        if (grainState.ETag is null)
        {
            // This activation never saw a record: clearing is a no-op unless another one wrote meanwhile.
            if (await StoredETag(connection, stateName, grainId) is not null)
                throw await Conflict(connection, "clear", stateName, grainId, null);
        }
        else
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM grain_state WHERE grain_id = $grain AND state_name = $state AND etag = $expected";
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            command.Parameters.AddWithValue("$state", stateName);
            command.Parameters.AddWithValue("$expected", grainState.ETag);
            if (await command.ExecuteNonQueryAsync() != 1)
                throw await Conflict(connection, "clear", stateName, grainId, grainState.ETag);
        }
        grainState.ETag = null;
        grainState.State = Activator.CreateInstance<T>();
        grainState.RecordExists = false;
    }

    async Task<InconsistentStateException> Conflict(SqliteConnection connection, string operation, string stateName, GrainId grainId, string? expected)
    {
        var stored = await StoredETag(connection, stateName, grainId);
        logger.LogWarning("ETag conflict on {Operation} of {State} for {Grain}: expected {Expected}, stored {Stored}",
            operation, stateName, grainId, expected ?? "none", stored ?? "none");
        return new InconsistentStateException(
            $"{operation} of state '{stateName}' of {grainId}: it changed since it was read (expected ETag {expected ?? "none"}, stored {stored ?? "none"})",
            stored ?? "none", expected ?? "none");
    }

    static async Task<string?> StoredETag(SqliteConnection connection, string stateName, GrainId grainId)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag FROM grain_state WHERE grain_id = $grain AND state_name = $state";
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$state", stateName);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>
    /// Lets this storage's pooled connections go. They stay open on the file they were opened on: a run
    /// that deletes its cluster folder and starts a fresh silo on it (quickstart, demo, factorial) would
    /// otherwise get them back for the same connection string and read and write the deleted file.
    /// The silo's container disposes the storage when the silo stops.
    /// </summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }

    async Task<SqliteConnection> OpenAsync()
    {
        await schema.Value;
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    async Task CreateSchemaAsync()
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS grain_state (
                grain_id   TEXT NOT NULL,
                state_name TEXT NOT NULL,
                etag       TEXT NOT NULL,
                payload    BLOB NOT NULL,
                PRIMARY KEY (grain_id, state_name));
            """;
        await command.ExecuteNonQueryAsync();
    }
}
