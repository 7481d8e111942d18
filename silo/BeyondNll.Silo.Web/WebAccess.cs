using System.Net;
using System.Security.Cryptography;
using System.Text;
using BeyondNll.Silo.Hosting;
using Microsoft.AspNetCore.Http;

namespace BeyondNll.Silo.Web;

/// <summary>
/// Who may reach the dashboard port. By default it listens on localhost only, and anyone on this
/// machine may read it. Another address (a cluster operator's browser, a Prometheus server) is
/// allowed only with an access token, which every request but /healthz must then carry: as
/// <c>Authorization: Bearer TOKEN</c> (scripts, Prometheus' <c>authorization</c> setting), or once
/// as <c>?token=TOKEN</c> in a browser, which keeps it in a cookie for the pages and their live updates.
/// </summary>
public static class WebAccess
{
    public const string CookieName = "bnll_token";

    /// <summary>Tokens shorter than this are refused: the port may face a network.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>The URL Kestrel listens on for these settings.</summary>
    /// <exception cref="ArgumentException">An address that is none, or another than localhost without a (long enough) token.</exception>
    public static string ListenUrl(ClusterSiloOptions options)
    {
        Check(options);
        var address = options.DashboardAddress.Trim();
        if (options.DashboardPort == 0) return "http://127.0.0.1:0"; // no dashboard: a dynamic port, nothing served on it
        if (address.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return $"http://localhost:{options.DashboardPort}";
        var ip = IPAddress.Parse(address);
        return ip.Equals(IPAddress.Any) ? $"http://0.0.0.0:{options.DashboardPort}"
            : ip.Equals(IPAddress.IPv6Any) ? $"http://[::]:{options.DashboardPort}"
            : $"http://{(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString())}:{options.DashboardPort}";
    }

    /// <summary>Whether the settings keep the port on this machine.</summary>
    public static bool IsLocal(string address) =>
        address.Trim().Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(address.Trim(), out var ip) && IPAddress.IsLoopback(ip);

    /// <exception cref="ArgumentException">See <see cref="ListenUrl"/>.</exception>
    public static void Check(ClusterSiloOptions options)
    {
        var address = options.DashboardAddress?.Trim() ?? "";
        if (!address.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(address, out _))
            throw new ArgumentException($"--dashboard-address '{options.DashboardAddress}' is not an IP address or localhost");
        if (options.DashboardToken is { } token && token.Length < MinimumTokenLength)
            throw new ArgumentException($"the dashboard token must have at least {MinimumTokenLength} characters (e.g. `openssl rand -hex 16`), got {token.Length}");
        if (!IsLocal(address) && string.IsNullOrEmpty(options.DashboardToken))
            throw new ArgumentException($"--dashboard-address {address} would show the study pages and the Orleans dashboard beyond this machine: " +
                "set an access token too (BNLL_Silo__DashboardToken; see docs/watching.md), or keep the address localhost");
    }

    /// <summary>The middleware that asks for the token, when one is set.</summary>
    public static async Task Require(HttpContext context, string token, Func<Task> next)
    {
        if (context.Request.Path.StartsWithSegments("/healthz"))
        {
            await next();
            return;
        }
        if (context.Request.Query["token"] is { Count: 1 } query && Matches(query[0], token))
        {
            // Kept in a cookie (not readable by scripts, sent to this site only), and out of the address bar.
            context.Response.Cookies.Append(CookieName, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            var rest = QueryString.Create(context.Request.Query.Where(q => q.Key != "token"));
            context.Response.Redirect(context.Request.PathBase + context.Request.Path + rest);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        var given = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim()
            : context.Request.Cookies[CookieName];
        if (Matches(given, token))
        {
            await next();
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsync("this silo's pages need its access token: Authorization: Bearer TOKEN, or ?token=TOKEN in a browser\n");
    }

    /// <summary>Compares in constant time, so the time taken tells nothing about the token.</summary>
    static bool Matches(string? given, string token) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
}
