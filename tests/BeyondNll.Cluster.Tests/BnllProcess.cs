using System.Diagnostics;
using BeyondNll.Client.Cluster;

namespace BeyondNll.Cluster.Tests;

/// <summary>The console as users run it: bnll.dll (which the project reference copies next to the tests) in a process of its own.</summary>
static class BnllProcess
{
    /// <summary>Runs bnll with <paramref name="args"/>; the caller's gateway and TLS variables are not inherited, <paramref name="environment"/> adds its own.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> Run(TimeSpan timeout, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bnll.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("BNLL_GATEWAY");
        start.Environment.Remove(ClusterConnection.TlsCertificateVariable);
        start.Environment.Remove(ClusterConnection.TlsPasswordVariable);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
