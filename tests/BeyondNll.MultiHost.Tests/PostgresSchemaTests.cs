using System.Net;
using BeyondNll.Client.Commands;
using BeyondNll.Silo.Hosting.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService;

namespace BeyondNll.MultiHost.Tests;

/// <summary>
/// The project's PostgreSQL schema against Orleans' own ADO.NET providers, on a throw-away server:
/// the queries they read from OrleansQuery must do what each provider expects (versions as
/// ETags, conflicts refused), since the schema is written here and not taken from Orleans.
/// </summary>
[Collection(FaultTests.Name)]
public sealed class PostgresSchemaTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    readonly PostgresServer server = postgres.Server;

    [Fact]
    public async Task Applying_the_schema_again_changes_nothing_and_every_provider_query_is_there()
    {
        var applied = await PostgresSchema.ApplyAsync(server.Connection);
        Assert.Equal(20, applied.Queries);
        // Two silos starting at once both apply it.
        var both = await Task.WhenAll(PostgresSchema.ApplyAsync(server.Connection), PostgresSchema.ApplyAsync(server.Connection));
        Assert.All(both, a => Assert.Equal(20, a.Queries));
    }

    [Fact]
    public async Task Bnll_db_init_reports_the_schema_and_refuses_a_bad_or_unreachable_server_with_exit_code_2()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(0, await DbCommand.InitAsync(server.Connection, json: true, output, errors, CancellationToken.None));
        Assert.Equal($"{{\"server\":\"127.0.0.1:{server.Port}/postgres\",\"queries\":20}}", output.ToString().Trim());

        var closed = ChildProcess.FreePort();
        Assert.Equal(2, await DbCommand.InitAsync($"Host=127.0.0.1;Port={closed};Username=bnll", false, output, errors, CancellationToken.None));
        Assert.Contains($"error: cannot use PostgreSQL at 127.0.0.1:{closed}/bnll: Failed to connect", errors.ToString());
        Assert.Equal(2, await DbCommand.InitAsync($"Host=127.0.0.1;Port={server.Port};Username=bnll;Database=missing", false, output, errors, CancellationToken.None));
        Assert.Contains("database \"missing\" does not exist", errors.ToString());
        Assert.Throws<ArgumentException>(() => PostgresSchema.Normalize("Hots=typo"));
        Assert.Throws<ArgumentException>(() => PostgresSchema.Normalize(""));
    }

    /// <summary>`bnll db init` without --connection reads the silos' own variable, so a password stays off the command line.</summary>
    [Fact]
    public async Task Bnll_db_init_without_a_connection_flag_uses_the_silos_variable()
    {
        var (exit, stdout, stderr) = await BeyondNll.Cluster.Tests.BnllProcess.Run(TimeSpan.FromSeconds(60), ["db", "init", "--json"],
            new Dictionary<string, string> { ["BNLL_Silo__Connection"] = server.Connection });
        Assert.True(exit == 0, stderr);
        Assert.Equal($"{{\"server\":\"127.0.0.1:{server.Port}/postgres\",\"queries\":20}}", stdout.Trim());
    }

    [Fact]
    public async Task A_silo_that_cannot_reach_its_database_says_so_and_exits_with_code_2()
    {
        var folder = Directory.CreateTempSubdirectory("bnll-pg-silo-").FullName;
        try
        {
            var closed = ChildProcess.FreePort();
            using var silo = SiloProcess.Start(folder, new Unreachable($"Host=127.0.0.1;Port={closed};Username=bnll"), "simulated:1");
            Assert.Equal(2, await silo.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.Contains($"silo: cannot use PostgreSQL at 127.0.0.1:{closed}/bnll: Failed to connect", silo.Log());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A PostgreSQL connection string with nothing behind it.</summary>
    sealed record Unreachable(string Connection) : IClusterStore
    {
        public string Clustering => "postgres";
        public Task Stop(TimeSpan patience) => Task.CompletedTask;
        public Task Restart() => Task.CompletedTask;
        public void Dispose() { }
    }

    [Fact]
    public async Task Membership_rows_change_only_at_the_version_read_and_each_change_moves_it_on()
    {
        IMembershipTable table = new AdoNetClusteringTable(new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = "contract", ServiceId = "contract" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresSchema.Invariant, ConnectionString = server.Connection }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(true, default);
        await table.InitializeMembershipTableAsync(true, default); // a second silo: the version row stays

        var empty = await table.ReadAllAsync(default);
        Assert.Empty(empty.Members);
        var first = Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(first, empty.Version.Next(), default));
        Assert.False(await table.InsertRowAsync(Entry(11112, SiloStatus.Joining), empty.Version.Next(), default)); // stale version
        Assert.False(await table.InsertRowAsync(first, (await table.ReadAllAsync(default)).Version.Next(), default));         // already there

        var one = await table.ReadAllAsync(default);
        Assert.Equal(empty.Version.Version + 1, one.Version.Version);
        var (stored, etag) = Assert.Single(one.Members);
        Assert.Equal((first.SiloAddress, first.SiloName, first.HostName, first.ProxyPort, SiloStatus.Joining),
            (stored.SiloAddress, stored.SiloName, stored.HostName, stored.ProxyPort, stored.Status));
        Assert.Equal(first.StartTime, stored.StartTime, TimeSpan.FromMilliseconds(1));

        var suspect = Entry(22222, SiloStatus.Active);
        first.Status = SiloStatus.Active;
        first.SuspectTimes = [Tuple.Create(suspect.SiloAddress, DateTime.UtcNow)];
        Assert.True(await table.UpdateRowAsync(first, etag, one.Version.Next(), default));
        Assert.False(await table.UpdateRowAsync(first, etag, one.Version.Next(), default)); // the version moved on

        var read = await table.ReadRowAsync(first.SiloAddress, default);
        var (active, _) = Assert.Single(read.Members);
        Assert.Equal(SiloStatus.Active, active.Status);
        Assert.Equal(suspect.SiloAddress, Assert.Single(active.SuspectTimes!).Item1);
        Assert.Equal(one.Version.Version + 1, read.Version.Version);

        // Heartbeats change the row, not the version.
        first.IAmAliveTime = DateTime.UtcNow.AddSeconds(5);
        await table.UpdateIAmAliveAsync(first, default);
        var beat = await table.ReadAllAsync(default);
        Assert.Equal(read.Version.Version, beat.Version.Version);
        Assert.Equal(first.IAmAliveTime, beat.Members[0].Item1.IAmAliveTime, TimeSpan.FromMilliseconds(1));

        // Dead silos not heard from since a date go; the living stay.
        var dead = Entry(33333, SiloStatus.Dead);
        dead.IAmAliveTime = DateTime.UtcNow.AddHours(-2);
        Assert.True(await table.InsertRowAsync(dead, beat.Version.Next(), default));
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1), default);
        Assert.Equal([first.SiloAddress], (await table.ReadAllAsync(default)).Members.Select(m => m.Item1.SiloAddress));

        await table.DeleteMembershipTableEntriesAsync("contract", default);
        await table.InitializeMembershipTableAsync(true, default);
        Assert.Empty((await table.ReadAllAsync(default)).Members);
    }

    [Fact]
    public async Task Reminders_are_read_by_grain_by_name_and_by_ranges_of_the_ring_and_removed_only_at_their_version()
    {
        var services = new ServiceCollection();
        services.UseAdoNetReminderService(o => o.Configure(r => { r.Invariant = PostgresSchema.Invariant; r.ConnectionString = server.Connection; }));
        services.Configure<ClusterOptions>(o => { o.ClusterId = "contract"; o.ServiceId = "contract"; });
        var table = services.BuildServiceProvider().GetRequiredService<IReminderTable>();
        await table.StartAsync(default);

        var grains = Enumerable.Range(0, 40).Select(i => GrainId.Create("test", $"grain-{i}")).ToList();
        var start = DateTime.UtcNow;
        foreach (var grain in grains)
            Assert.Equal("0", await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "tick", StartAt = start, Period = TimeSpan.FromMinutes(1) }));
        var again = await table.UpsertRow(new ReminderEntry { GrainId = grains[0], ReminderName = "tick", StartAt = start, Period = TimeSpan.FromDays(30) });
        Assert.Equal("1", again);

        var one = await table.ReadRow(grains[0], "tick");
        Assert.NotNull(one);
        Assert.Equal((grains[0], TimeSpan.FromDays(30), "1"), (one.GrainId, one.Period, one.ETag));
        Assert.Equal(start, one.StartAt, TimeSpan.FromMilliseconds(1));
        Assert.Null(await table.ReadRow(grains[0], "other"));
        Assert.Single((await table.ReadRows(grains[1])).Reminders);

        // Two halves of the ring, one wrapping around its end, hold every reminder once.
        var middle = 0x80000000u;
        var wrapping = (await table.ReadRows(middle + 0x40000000u, 0x40000000u)).Reminders;
        var plain = (await table.ReadRows(0x40000000u, middle + 0x40000000u)).Reminders;
        Assert.Equal(grains.OrderBy(g => g.ToString()), wrapping.Concat(plain).Select(r => r.GrainId).OrderBy(g => g.ToString()));
        Assert.All(wrapping, r => Assert.False(InRange(r.GrainId.GetUniformHashCode(), 0x40000000u, middle + 0x40000000u)));

        Assert.False(await table.RemoveRow(grains[0], "tick", "0"));
        Assert.True(await table.RemoveRow(grains[0], "tick", "1"));
        Assert.Null(await table.ReadRow(grains[0], "tick"));
        await table.TestOnlyClearTable(default);
        Assert.Empty((await table.ReadRows(grains[1])).Reminders);
    }

    /// <summary>The providers compare hashes as signed integers; (begin, end] with begin below end.</summary>
    static bool InRange(uint hash, uint begin, uint end) => (int)hash > (int)begin && (int)hash <= (int)end;

    static MembershipEntry Entry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 7),
        SiloName = $"silo-{port}",
        HostName = "host",
        Status = status,
        ProxyPort = port + 1,
        StartTime = DateTime.UtcNow,
        IAmAliveTime = DateTime.UtcNow,
    };
}
