using System.Net;
using System.Net.Sockets;
using BeyondNll.Client.Commands;
using BeyondNll.Silo.Hosting;

namespace BeyondNll.Web.Tests;

/// <summary>
/// The pages `bnll quickstart` serves: its in-process silo's studies on a web host of their own, on
/// the port asked for or, when another program holds it, on a free one (the URL it prints says which).
/// </summary>
public sealed class QuickstartPagesTests
{
    [Fact]
    public async Task An_in_process_silos_pages_move_to_a_free_port_when_the_asked_one_is_taken()
    {
        var folder = Directory.CreateTempSubdirectory("bnll-web-local-").FullName;
        using var other = new TcpListener(IPAddress.Loopback, 0); // another program on the port asked for
        other.Start();
        var taken = ((IPEndPoint)other.LocalEndpoint).Port;
        try
        {
            await using var silo = await InProcessSilo.StartAsync(new ClusterSiloOptions
            {
                DataDirectory = Path.Combine(folder, "cluster"), Devices = "simulated:1", DashboardPort = 0,
            });
            Assert.Null(await LocalRun.StartWebAsync(silo, 0, CancellationToken.None)); // --web-port 0: none

            await using var web = await LocalRun.StartWebAsync(silo, taken, CancellationToken.None);
            Assert.NotNull(web);
            Assert.StartsWith("http://localhost:", web.Url);
            Assert.NotEqual($"http://localhost:{taken}", web.Url);
            using var http = new HttpClient { BaseAddress = new Uri(web.Url) };
            Assert.Equal("active\n", await http.GetStringAsync("/healthz"));
            Assert.Contains("no study yet", await http.GetStringAsync("/studies"));
            var missing = await http.GetAsync("/studies/quickstart");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
