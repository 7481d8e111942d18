using System.Diagnostics;

namespace BeyondNll.Cluster.Tests;

/// <summary>The console as users run it: bnll.dll (which the project reference copies next to the tests) in a process of its own.</summary>
static class BnllProcess
{
    public static async Task<(int Exit, string Stdout, string Stderr)> Run(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bnll.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("BNLL_GATEWAY");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
