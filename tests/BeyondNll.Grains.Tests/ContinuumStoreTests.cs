using BeyondNll.Silo.Hosting.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace BeyondNll.Grains.Tests;

/// <summary>
/// The continuum keeps each study's point as a record of its own: recording one writes that point,
/// and the continuum's own record (the studies' names) only when the study is new, however many
/// trials the other points carry; a new silo on the same store lists every point again.
/// </summary>
public sealed class ContinuumStoreTests
{
    const int TrialsPerStudy = 400;

    [Fact]
    public async Task Recording_a_point_writes_that_point_and_not_the_others_and_a_restart_lists_them_all()
    {
        using var data = new TestData();
        Directory.CreateDirectory(data.ClusterData);
        var points = Enumerable.Range(0, 5).Select(i => Point($"study{i}", $"backbone{i}", 0.9 - 0.2 * i)).ToList();

        await using (var cluster = await TestCluster.Start(data.ClusterData, "simulated:1"))
        {
            var continuum = cluster.Grains.GetGrain<IContinuumGrain>(0);
            foreach (var point in points) await continuum.Record(point);
            await continuum.Record(points[0] with { Winner = "power:10" }); // a study that records again replaces its own

            var written = ((SqliteGrainStorage)cluster.Cluster.Silos[0].ServiceProvider
                .GetRequiredKeyedService<IGrainStorage>(StorageNames.Cluster)).Written;
            Assert.Equal(6, written["point"].Writes);
            Assert.Equal(5, written["continuum"].Writes);
            // A point with 400 values is tens of kB; the names of five studies are not.
            Assert.True(written["point"].LargestBytes > 20_000, $"a point wrote only {written["point"].LargestBytes} bytes");
            Assert.True(written["continuum"].LargestBytes < 2_000, $"the continuum's record wrote {written["continuum"].LargestBytes} bytes");
        }

        await using var again = await TestCluster.Start(data.ClusterData, "simulated:1");
        var listed = await again.Grains.GetGrain<IContinuumGrain>(0).ListAll();
        // Ordered by mean p, as before the points were stored apart.
        Assert.Equal(points.Select(p => p.Study).Reverse(), listed.Select(e => e.Study));
        Assert.Equal("power:10", listed.Single(e => e.Study == "study0").Winner);
        Assert.All(listed, e => Assert.Equal(TrialsPerStudy, e.Objectives.Count));
    }

    static ContinuumEntry Point(string study, string backbone, double meanP) => new()
    {
        Backbone = backbone, Dataset = "cipher/train", Metric = "accuracy", Study = study, Winner = "nll", PaperKey = "nll",
        Probe = new ProbeView(meanP, meanP, 0.5, 1000, "model-intermediate"),
        Trials = TrialsPerStudy, Recorded = DateTimeOffset.UnixEpoch,
        Objectives = Enumerable.Range(0, TrialsPerStudy).Select(t => new ObjectiveValue(t % 2 == 0 ? "nll" : "power:1", 1e-4, "search", t / 1000.0, null, 1)).ToList(),
    };
}
