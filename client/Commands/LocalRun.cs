using BeyondNll.Silo.Hosting;
using BeyondNll.Silo.Web;
using BeyondNll.Training.Data;
using BeyondNll.Training.Synthetic;

namespace BeyondNll.Client.Commands;

/// <summary>
/// The pieces of a run on this machine alone, shared by <c>bnll quickstart</c> and <c>bnll demo</c>:
/// synthetic data on disk, a pretrained synthetic backbone, and a silo inside this process.
/// </summary>
public static class LocalRun
{
    /// <summary>Where a local run's data are.</summary>
    public sealed record DataFiles(string Train, string Val, string Test);

    /// <summary>Writes train.jsonl, val.jsonl and test.jsonl of a synthetic task to <paramref name="folder"/> (as many test as validation examples).</summary>
    public static DataFiles WriteData(string task, int n, double noise, int seed, int valCount, string folder) =>
        WriteData(SyntheticTasks.Get(task), n, noise, seed, valCount, valCount, folder);

    /// <summary>
    /// Writes the three splits of <see cref="SyntheticData.Generate(ISyntheticTask, int, double, int, int, int, double)"/>
    /// to <paramref name="folder"/>; a share <paramref name="variation"/> of the training responses carry
    /// whitespace the scorer ignores.
    /// </summary>
    public static DataFiles WriteData(ISyntheticTask task, int n, double noise, int seed, int valCount, int testCount, string folder, double variation = 0)
    {
        var splits = SyntheticData.Generate(task, n, noise, seed, valCount, testCount, variation);
        Directory.CreateDirectory(folder);
        var files = new DataFiles(Path.Combine(folder, "train.jsonl"), Path.Combine(folder, "val.jsonl"), Path.Combine(folder, "test.jsonl"));
        SftDataWriter.WriteJsonl(files.Train, splits.Train);
        SftDataWriter.WriteJsonl(files.Val, splits.Val);
        SftDataWriter.WriteJsonl(files.Test, splits.Test);
        return files;
    }

    /// <summary>Pretrains and saves a synthetic backbone, with a progress bar unless <paramref name="quiet"/>.</summary>
    public static Task PretrainAsync(string folder, SyntheticBackboneOptions options, bool quiet, CancellationToken ct) =>
        TrainingConsole.WithProgress($"pretrain a backbone on {options.Task} ({options.PretrainSteps} steps)", Math.Max(1, options.PretrainSteps), quiet,
            progress =>
            {
                SyntheticBackbone.Create(folder, options, progress, ct);
                return 0;
            });

    /// <summary>CPU slots of the local silo: the cores, at most four.</summary>
    public static int Slots => Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>
    /// A silo in this process with a fresh cluster state in <paramref name="clusterFolder"/> (removed
    /// first, so study names are free), the CPU cores as device slots and no dashboard.
    /// </summary>
    public static async Task<InProcessSilo> StartSiloAsync(string clusterFolder, CancellationToken ct)
    {
        if (Directory.Exists(clusterFolder)) Directory.Delete(clusterFolder, recursive: true);
        return await InProcessSilo.StartAsync(new ClusterSiloOptions
        {
            DataDirectory = clusterFolder,
            Devices = $"cpu:{Slots}",
            DashboardPort = 0,
        }, ct);
    }

    /// <summary>
    /// The study pages of the in-process silo on localhost:<paramref name="port"/> (or, when another
    /// program holds that port, on a free one); none when the port is 0.
    /// </summary>
    public static async Task<StudyWebServer?> StartWebAsync(InProcessSilo silo, int port, CancellationToken ct)
    {
        if (port == 0) return null;
        try
        {
            return await StudyWebServer.StartAsync(silo, port, ct);
        }
        catch (IOException)
        {
            return await StudyWebServer.StartAsync(silo, FreePort(), ct);
        }
    }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
