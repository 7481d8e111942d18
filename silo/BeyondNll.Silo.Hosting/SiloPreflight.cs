using System.Net;
using System.Net.Sockets;

namespace BeyondNll.Silo.Hosting;

/// <summary>
/// What a silo host checks before anything listens, so that a setting that cannot work is one line
/// and exit code 2, not a stack trace or a silo that starts and then fails every call:
/// the values themselves (<see cref="ClusterSiloOptions.Validate"/>), the devices, the data folder
/// (it must be writable), the ports (none may be taken by anyone), and, for a silo that joins
/// another on this machine, that a silo listens where it would join.
/// </summary>
/// <remarks>
/// The ports need checking because Orleans' listeners ask for address reuse, which Linux grants as
/// SO_REUSEPORT: a second silo on the same ports would start without a word and take half of the
/// clients' connections. The check binds each port once, without SO_REUSEPORT, and lets it go; a
/// port taken in the moment between the check and Orleans' own bind is not caught.
/// </remarks>
public static class SiloPreflight
{
    /// <exception cref="ArgumentException">The first thing that stops this silo from starting, in a line.</exception>
    public static void Check(ClusterSiloOptions options, Func<int>? cudaDeviceCount = null)
    {
        options.Validate();
        try
        {
            SiloBuilderExtensions.Devices(options, cudaDeviceCount);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--devices: {e.Message}", e);
        }
        if (options.KeepsStateLocally) CheckWritable(options.DataDirectory);
        var address = ListenAddress(options);
        CheckFree("--silo-port", address, options.SiloPort);
        CheckFree("--gateway-port", address, options.GatewayPort);
        if (options.DashboardPort > 0) CheckFree("--dashboard-port", IPAddress.Loopback, options.DashboardPort, "0 turns the dashboard off");
        if (options.KeepsStateLocally && options.PrimarySiloPort != options.SiloPort) CheckPrimaryListens(options);
    }

    /// <summary>
    /// With localhost clustering a silo on another port than the primary's joins the silo there; with
    /// none there it would wait for it and then fail in Orleans' words. A silo started with only
    /// `--silo-port` (meant as a cluster of its own) is the usual case: say how to make it the first.
    /// </summary>
    static void CheckPrimaryListens(ClusterSiloOptions options)
    {
        if (!IsFree(IPAddress.Loopback, options.PrimarySiloPort)) return;
        throw new ArgumentException($"--primary-silo-port {options.PrimarySiloPort}: no silo listens there for this one (--silo-port " +
            $"{options.SiloPort}) to join; start the first silo on that port, or give --primary-silo-port {options.SiloPort} to make this silo the first");
    }

    /// <summary>Where Orleans will listen: loopback for localhost clustering, else the advertised address, or every interface for one that is not loopback.</summary>
    static IPAddress ListenAddress(ClusterSiloOptions options)
    {
        if (options.KeepsStateLocally || !IPAddress.TryParse(options.AdvertiseIp, out var advertised)) return IPAddress.Loopback;
        return IPAddress.IsLoopback(advertised) ? advertised : IPAddress.Any;
    }

    /// <summary>The folder exists (or is made) and takes a file.</summary>
    static void CheckWritable(string folder)
    {
        var probe = Path.Combine(folder, $".bnll-write-check-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--data-dir '{folder}' is not a folder this silo can write to: {e.Message}", e);
        }
    }

    static void CheckFree(string flag, IPAddress address, int port, string? hint = null)
    {
        switch (BindOnce(address, port))
        {
            case null:
                return;
            case { SocketErrorCode: SocketError.AddressAlreadyInUse } e:
                throw new ArgumentException($"{flag} {port} is in use on {address} (another silo, or another program?); " +
                    "stop it or choose another port" + (hint is null ? "" : $" ({hint})"), e);
            case var e:
                throw new ArgumentException($"{flag} {port} cannot be listened on at {address}: {e.Message}", e);
        }
    }

    static bool IsFree(IPAddress address, int port) => BindOnce(address, port) is null;

    /// <summary>Binds the port and lets it go: null when that worked, else why not.</summary>
    static SocketException? BindOnce(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // Plain SO_REUSEADDR on Linux: a port whose old connections linger in TIME_WAIT is free, one
        // that a socket listens on is not (.NET's ReuseAddress would also set SO_REUSEPORT).
        if (OperatingSystem.IsLinux()) socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return null;
        }
        catch (SocketException e)
        {
            return e;
        }
    }

    const int SolSocket = 1, SoReuseAddr = 2; // Linux's <sys/socket.h>
}
