using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BeyondNll.Client.Bench;

/// <summary>
/// A program the benchmark starts on this machine (a silo host, a Redis server), its output in a log
/// file. Stopping asks politely (SIGTERM) and kills only if it does not go; disposing kills.
/// </summary>
public sealed class LocalProcess : IDisposable
{
    readonly Process process;

    LocalProcess(Process process, string logPath)
    {
        this.process = process;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public bool Running => !process.HasExited;

    /// <exception cref="FileNotFoundException">The program is not on the PATH.</exception>
    public static LocalProcess Start(string program, IEnumerable<string> arguments, string logPath)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // never the terminal's: the children must not read what the user types
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FileNotFoundException($"could not start '{program}': {e.Message}", program, e);
        }
        var log = TextWriter.Synchronized(new StreamWriter(logPath, append: true) { AutoFlush = true });
        void Write(string? line)
        {
            if (line is null) return;
            try { log.WriteLine(line); }
            catch (ObjectDisposedException) { } // a last line after the benchmark closed the log
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => { process.WaitForExit(); log.Dispose(); }; // the parameterless wait drains the output first
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new LocalProcess(process, logPath);
    }

    /// <summary>Waits until something accepts connections on the port; fails if the process exits first.</summary>
    public async Task WaitForPort(int port, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (!Running) throw new InvalidOperationException($"it exited before listening on port {port}; its log {LogPath} ends:\n{Tail()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, ct);
            }
            catch (SocketException e)
            {
                throw new TimeoutException($"nothing listened on port {port} within {timeout.TotalSeconds:F0} s; log: {LogPath}", e);
            }
        }
    }

    /// <summary>SIGTERM, as a service manager stops a program; SIGKILL if it is still there after <paramref name="patience"/>.</summary>
    public async Task Stop(TimeSpan patience)
    {
        if (!Running) return;
        _ = Signal(process.Id, 15);
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Dispose();
        }
    }

    public string Tail(int lines = 20)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        try
        {
            if (Running) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // It was never started or is gone already.
        }
        process.Dispose();
    }

    /// <summary>A TCP port free on loopback now (the OS's choice).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Signal(int pid, int signal);
}
