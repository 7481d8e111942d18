using BeyondNll.Grains.Tests;
using BeyondNll.Silo.Hosting.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// Orleans' ADO.NET grain storage on the project's PostgreSQL schema: the row version is the ETag,
/// a stale one is refused, a first write never overwrites, and each part of a grain's key counts.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class PostgresGrainStorageTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    AdoNetGrainStorage storage = null!;

    /// <summary>The silo's start-up, reduced to what the storage takes part in: it reads its queries then.</summary>
    sealed class StartOnly : ISiloLifecycle
    {
        readonly List<ILifecycleObserver> observers = [];
        public int HighestCompletedStage => 0;
        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            observers.Add(observer);
            return new ServiceCollection().BuildServiceProvider(); // nothing to undo
        }

        public Task Start() => Task.WhenAll(observers.Select(o => o.OnStart(CancellationToken.None)));
    }

    public async Task InitializeAsync()
    {
        var activators = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<IActivatorProvider>();
        storage = new AdoNetGrainStorage(activators, NullLogger<AdoNetGrainStorage>.Instance,
            Options.Create(new AdoNetGrainStorageOptions
            {
                Invariant = PostgresSchema.Invariant, ConnectionString = postgres.Server.Connection, GrainStorageSerializer = new JsonStorageSerializer(),
            }),
            Options.Create(new ClusterOptions { ClusterId = "contract", ServiceId = "contract" }), "bnll");
        var lifecycle = new StartOnly();
        storage.Participate(lifecycle);
        await lifecycle.Start();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    static readonly GrainType Type = GrainType.Create("test");

    async Task<Stored<Counter>> Read(GrainId grain)
    {
        var read = new Stored<Counter>();
        await storage.ReadStateAsync("counter", grain, read);
        return read;
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var grain = GrainId.Create("test", "stale");
        var first = new Stored<Counter> { State = new Counter { Value = 1 } };
        await storage.WriteStateAsync("counter", grain, first);
        var second = await Read(grain);
        Assert.True(second.RecordExists);
        Assert.Equal((1, first.ETag), (second.State!.Value, second.ETag));

        second.State.Value = 2;
        await storage.WriteStateAsync("counter", grain, second); // moves the ETag on
        Assert.NotEqual(first.ETag, second.ETag);
        first.State!.Value = 3;
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grain, first));
        Assert.Equal(2, (await Read(grain)).State!.Value);
    }

    [Fact]
    public async Task A_first_write_does_not_overwrite_a_record_written_meanwhile()
    {
        var grain = GrainId.Create("test", "first");
        await storage.WriteStateAsync("counter", grain, new Stored<Counter> { State = new Counter { Value = 1 } });
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("counter", grain, new Stored<Counter> { State = new Counter { Value = 9 } }));
        Assert.Equal(1, (await Read(grain)).State!.Value);
    }

    [Fact]
    public async Task Clear_empties_the_record_only_with_the_current_etag_and_a_later_write_goes_on_from_there()
    {
        var grain = GrainId.Create("test", "clear");
        var state = new Stored<Counter> { State = new Counter { Value = 1 } };
        await storage.WriteStateAsync("counter", grain, state);
        var stale = new Stored<Counter> { State = new Counter(), ETag = "99", RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", grain, stale));

        await storage.ClearStateAsync("counter", grain, state);
        var cleared = await Read(grain);
        Assert.False(cleared.RecordExists);
        Assert.Equal(0, cleared.State!.Value);
        Assert.Equal(state.ETag, cleared.ETag);

        cleared.State.Value = 5;
        await storage.WriteStateAsync("counter", grain, cleared);
        Assert.Equal(5, (await Read(grain)).State!.Value);
    }

    [Fact]
    public async Task Every_part_of_a_grains_key_names_a_record_of_its_own()
    {
        GrainId[] grains =
        [
            GrainId.Create(Type, GrainIdKeyExtensions.CreateIntegerKey(5)),
            GrainId.Create(Type, GrainIdKeyExtensions.CreateIntegerKey(5, "x")),
            GrainId.Create(Type, GrainIdKeyExtensions.CreateIntegerKey(6)),
            GrainId.Create(Type, GrainIdKeyExtensions.CreateGuidKey(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"))),
            GrainId.Create(Type, GrainIdKeyExtensions.CreateGuidKey(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), "x")),
            GrainId.Create("test", "five"),
            // Not GrainId.Create("other", "five"): the provider names a record by the state's name and
            // the key, not the grain's type, which is why every grain class here has a state name of its own.
        ];
        for (var i = 0; i < grains.Length; i++)
            await storage.WriteStateAsync("counter", grains[i], new Stored<Counter> { State = new Counter { Value = 100 + i } });
        for (var i = 0; i < grains.Length; i++)
            Assert.Equal(100 + i, (await Read(grains[i])).State!.Value);
        Assert.False((await Read(GrainId.Create(Type, GrainIdKeyExtensions.CreateIntegerKey(5, "y")))).RecordExists);
    }
}
