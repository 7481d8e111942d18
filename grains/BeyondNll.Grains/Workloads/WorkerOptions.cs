using System.Reflection;
using BeyondNll.Training.Checkpoints;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// How this silo runs its torch attempts in worker processes (the silo's settings --worker,
/// --checkpoint-every, --checkpoint-min-seconds and --worker-memory-mb).
/// </summary>
/// <param name="WorkerDll">BeyondNll.Worker.dll, started with `dotnet`.</param>
/// <param name="CheckpointEvery">Steps between checkpoints for recipes that leave it to the host; 0 = every 5% of a trial's steps.</param>
/// <param name="MemoryLimitBytes">A worker whose resident memory grows past this is stopped and its trial fails as out of memory; 0 = no limit.</param>
/// <param name="CheckpointMinSeconds">With the default interval only (5% of the steps): least seconds of training between checkpoints; 0 = none.</param>
public sealed record WorkerOptions(string WorkerDll, int CheckpointEvery = 0, long MemoryLimitBytes = 0,
    int CheckpointMinSeconds = CheckpointCadence.DefaultMinSeconds)
{
    public const string DllName = "BeyondNll.Worker.dll";

    /// <summary>
    /// Where the worker is when no setting names it: beside the assembly that hosts the grains (a
    /// published silo, and the build output of every project that references the grains: the project
    /// copies the worker there), else in the repository's build output (recorded at build time).
    /// </summary>
    public static string DefaultDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, DllName);
        if (File.Exists(beside)) return beside;
        var built = typeof(WorkerOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "WorkerDll")?.Value;
        return built is not null && File.Exists(built) ? Path.GetFullPath(built) : beside;
    }

    /// <summary>The `dotnet` host that runs workers: the one running this process when it is dotnet, else the SDK's, else the PATH's.</summary>
    public static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet") return current;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } sdk && File.Exists(sdk) ? sdk : "dotnet";
    }
}
