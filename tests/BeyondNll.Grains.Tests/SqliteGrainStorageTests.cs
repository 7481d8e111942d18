using BeyondNll.Silo.Hosting.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Storage;

namespace BeyondNll.Grains.Tests;

public class SqliteGrainStorageTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "bnll-sqlite-" + Guid.NewGuid().ToString("N"));
    string Database => Path.Combine(folder, "state.db");

    SqliteGrainStorage Open() => new(Database, new JsonStorageSerializer(), NullLogger<SqliteGrainStorage>.Instance);

    static readonly GrainId Grain = GrainId.Create("test", "one");

    [Fact]
    public async Task State_survives_a_new_storage_on_the_same_file()
    {
        var written = new Stored<Counter> { State = new Counter { Value = 7 } };
        await Open().WriteStateAsync("counter", Grain, written);

        var read = new Stored<Counter>();
        await Open().ReadStateAsync("counter", Grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(7, read.State!.Value);
        Assert.Equal(written.ETag, read.ETag);
    }

    /// <summary>
    /// A one-machine run (quickstart, demo, factorial) deletes its cluster folder and starts a fresh silo
    /// on it. A pooled connection of the storage before, still open on the deleted file, used to take
    /// the new storage's writes (same connection string), leaving the new file empty: the second
    /// search setting of FactorialTests hung so. A disposed storage lets its pooled connections go.
    /// </summary>
    [Fact]
    public async Task A_storage_made_on_a_deleted_and_recreated_file_writes_to_the_new_file()
    {
        using (var before = Open())
            await before.WriteStateAsync("counter", Grain, new Stored<Counter> { State = new Counter { Value = 1 } });
        Directory.Delete(folder, recursive: true);

        using (var after = Open())
            await after.WriteStateAsync("counter", Grain, new Stored<Counter> { State = new Counter { Value = 2 } });

        // Read as another process would: a connection of its own, not from this process's pool.
        await using var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Pooling=False");
        await reader.OpenAsync();
        await using var count = reader.CreateCommand();
        count.CommandText = "SELECT count(*) FROM grain_state";
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    /// <summary>The same through a silo: the second of two one-machine runs in one process starts from a fresh state.</summary>
    [Fact]
    public async Task A_second_in_process_silo_on_a_cleared_folder_starts_from_a_fresh_state()
    {
        var cluster = Path.Combine(folder, "cluster");
        await using (var first = await Client.Commands.LocalRun.StartSiloAsync(cluster, CancellationToken.None))
            Assert.True(await first.Client.GetGrain<IStudyRegistryGrain>(0).TryAdd("run"));
        await using (var second = await Client.Commands.LocalRun.StartSiloAsync(cluster, CancellationToken.None))
            Assert.True(await second.Client.GetGrain<IStudyRegistryGrain>(0).TryAdd("run"), "the second run saw the first run's deleted state");
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var storage = Open();
        var first = new Stored<Counter> { State = new Counter { Value = 1 } };
        await storage.WriteStateAsync("counter", Grain, first);
        var second = new Stored<Counter>();
        await storage.ReadStateAsync("counter", Grain, second);

        second.State!.Value = 2;
        await storage.WriteStateAsync("counter", Grain, second);   // moves the ETag on
        first.State!.Value = 3;
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", Grain, first));

        var now = new Stored<Counter>();
        await storage.ReadStateAsync("counter", Grain, now);
        Assert.Equal(2, now.State!.Value);
    }

    [Fact]
    public async Task A_first_write_does_not_overwrite_a_record_written_meanwhile()
    {
        var storage = Open();
        await storage.WriteStateAsync("counter", Grain, new Stored<Counter> { State = new Counter { Value = 1 } });
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("counter", Grain, new Stored<Counter> { State = new Counter { Value = 9 } }));
    }

    [Fact]
    public async Task Clear_removes_the_record_only_with_the_current_etag()
    {
        var storage = Open();
        var state = new Stored<Counter> { State = new Counter { Value = 1 } };
        await storage.WriteStateAsync("counter", Grain, state);
        var stale = new Stored<Counter> { State = new Counter(), ETag = "stale", RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", Grain, stale));

        await storage.ClearStateAsync("counter", Grain, state);
        var read = new Stored<Counter>();
        await storage.ReadStateAsync("counter", Grain, read);
        Assert.False(read.RecordExists);
        Assert.Equal(0, read.State!.Value);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
