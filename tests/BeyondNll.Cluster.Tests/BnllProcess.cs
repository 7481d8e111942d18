using System.Diagnostics;
using System.Runtime.InteropServices;
using BeyondNll.Client.Cluster;

namespace BeyondNll.Cluster.Tests;

/// <summary>The console as users run it: bnll.dll (which the project reference copies next to the tests) in a process of its own.</summary>
static class BnllProcess
{
    /// <summary>Runs bnll with <paramref name="args"/>; the caller's gateway and TLS variables are not inherited, <paramref name="environment"/> adds its own.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> Run(TimeSpan timeout, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(args, environment);
        return await Finish(process, timeout);
    }

    /// <summary>Starts bnll with <paramref name="args"/> (output redirected, to be read by <see cref="Finish"/>).</summary>
    public static Process Start(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        // Through env, with SIGINT's default action restored: a test run started in the background by a
        // shell (as a CI script may be) passes an ignored SIGINT on to every child, and a bnll that ignores
        // it, rightly for a background job, would not see the Ctrl-C of Interrupt. A terminal's foreground
        // process, which Interrupt stands for, has the default. env execs dotnet, so the process id stays.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bnll.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("BNLL_GATEWAY");
        start.Environment.Remove(ClusterConnection.TlsCertificateVariable);
        start.Environment.Remove(ClusterConnection.TlsPasswordVariable);
        start.Environment.Remove(ClusterConnection.ClusterIdVariable);
        start.Environment.Remove(ClusterConnection.ConnectTimeoutVariable);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Collect(process, e.Data, Stdout);
        process.ErrorDataReceived += (_, e) => Collect(process, e.Data, Stderr);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The lines a started process has written to stderr so far.</summary>
    public static string ErrorSoFar(Process process)
    {
        lock (Stderr) return Stderr.TryGetValue(process, out var text) ? text.ToString() : "";
    }

    /// <summary>Ctrl-C: SIGINT, as a terminal sends it.</summary>
    public static void Interrupt(Process process) => _ = Kill(process.Id, 2);

    /// <summary>Waits for a started process to end; its exit code and all it wrote.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> Finish(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"bnll did not end within {timeout}; stderr so far:\n{ErrorSoFar(process)}");
        }
        process.WaitForExit(); // the output events have all arrived
        lock (Stderr)
        {
            var result = (process.ExitCode, Stdout.GetValueOrDefault(process)?.ToString() ?? "", Stderr.GetValueOrDefault(process)?.ToString() ?? "");
            Stdout.Remove(process);
            Stderr.Remove(process);
            return result;
        }
    }

    static readonly Dictionary<Process, System.Text.StringBuilder> Stdout = [];
    static readonly Dictionary<Process, System.Text.StringBuilder> Stderr = [];

    static void Collect(Process process, string? line, Dictionary<Process, System.Text.StringBuilder> into)
    {
        if (line is null) return;
        lock (Stderr)
        {
            if (!into.TryGetValue(process, out var text)) into[process] = text = new System.Text.StringBuilder();
            text.Append(line).Append('\n');
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
