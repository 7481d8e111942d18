using BeyondNll.Silo.Hosting;
using Orleans.TestingHost;

namespace BeyondNll.Grains.Tests;

/// <summary>
/// An in-process cluster of silos configured as production silos are (storage in a SQLite file,
/// device slots, silo-bound placement, the watchdog), each silo with its own device setting.
/// Disposing stops it; a new one on the same data folder sees the same stored state.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public InProcessTestCluster Cluster { get; }
    public IGrainFactory Grains => Cluster.Client;

    TestCluster(InProcessTestCluster cluster) => Cluster = cluster;

    public static Task<TestCluster> Start(string dataDirectory, params string[] devicesPerSilo) =>
        Start(dataDirectory, _ => { }, devicesPerSilo);

    /// <param name="configure">Changes every silo's settings (a worker memory limit, a checkpoint interval).</param>
    public static async Task<TestCluster> Start(string dataDirectory, Action<ClusterSiloOptions> configure, params string[] devicesPerSilo)
    {
        var builder = new InProcessTestClusterBuilder((short)devicesPerSilo.Length);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((options, silo) =>
        {
            var index = int.Parse(options.SiloName.Split('_')[^1]);
            var settings = new ClusterSiloOptions
            {
                DataDirectory = dataDirectory,
                Devices = devicesPerSilo[Math.Min(index, devicesPerSilo.Length - 1)],
                ThreadsPerSlot = 1,
                WatchdogPeriod = TimeSpan.FromMilliseconds(500),
            };
            configure(settings);
            silo.AddBeyondNllCluster(settings, cudaDeviceCount: () => 0);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new TestCluster(cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
