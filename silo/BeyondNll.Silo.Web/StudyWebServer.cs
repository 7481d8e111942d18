using BeyondNll.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace BeyondNll.Silo.Web;

/// <summary>
/// The study pages for a silo inside another program (`bnll quickstart`): a web host of its own on
/// localhost that reads the in-process silo through its client, with the same routes as the silo host.
/// </summary>
public sealed class StudyWebServer : IAsyncDisposable
{
    readonly WebApplication app;

    StudyWebServer(WebApplication app, string url) => (this.app, Url) = (app, url);

    /// <summary>Where the pages are: http://localhost:PORT.</summary>
    public string Url { get; }

    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<StudyWebServer> StartAsync(InProcessSilo silo, int port, CancellationToken cancellation = default)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.AddStudyWeb(new ClusterSiloOptions { DashboardPort = port });
        builder.Services.AddSingleton<IGrainFactory>(silo.Client);
        builder.Services.AddSingleton(silo.Services.GetRequiredService<ISiloStatusOracle>());
        var app = builder.Build();
        app.MapStudyWeb();
        await app.StartAsync(cancellation);
        return new StudyWebServer(app, $"http://localhost:{port}");
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
