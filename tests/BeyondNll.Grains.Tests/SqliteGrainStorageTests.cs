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
