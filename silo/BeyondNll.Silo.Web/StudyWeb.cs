using BeyondNll.Grains;
using BeyondNll.Silo.Hosting;
using BeyondNll.Silo.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace BeyondNll.Silo.Web;

/// <summary>
/// Wires the silo's web side into a host: <see cref="AddStudyWeb"/> on the builder (where it listens,
/// telemetry), <see cref="MapStudyWeb"/> on the app (the routes). The routes are a contract:
/// <list type="bullet">
/// <item><c>/studies</c> — every study; <c>/studies/NAME</c> — one study, live; <c>/studies/NAME/figures/F.svg</c> — its figures;
/// <c>/studies/NAME/events</c> and <c>/events/studies</c> — the pages' server-sent events</item>
/// <item><c>/backbones</c>, <c>/backbones/NAME</c> — a backbone's probes and best objectives</item>
/// <item><c>/continuum</c> — the continuum table and map</item>
/// <item><c>/metrics</c> — Prometheus text; <c>/healthz</c> — 200 while the silo is active, 503 otherwise</item>
/// </list>
/// The Orleans dashboard stays at /dashboard. The pages read the cluster through the grain interfaces,
/// as `bnll` does: the host needs an <see cref="IGrainFactory"/> and, for /healthz, the silo's <see cref="ISiloStatusOracle"/>.
/// </summary>
public static class StudyWeb
{
    /// <summary>Listens on the dashboard port at <see cref="ClusterSiloOptions.DashboardAddress"/>, with the silo's telemetry.</summary>
    /// <exception cref="ArgumentException">An address or token that <see cref="WebAccess.Check"/> refuses, a bad OTLP endpoint.</exception>
    public static WebApplicationBuilder AddStudyWeb(this WebApplicationBuilder builder, ClusterSiloOptions options)
    {
        builder.WebHost.UseUrls(WebAccess.ListenUrl(options));
        builder.Services.AddSiloTelemetry(options);
        builder.Services.AddSingleton(new StudyWebOptions(options.DashboardToken));
        builder.Services.AddSingleton<FigureCache>();
        return builder;
    }

    /// <summary>Maps the routes above (and asks for the access token first, when one is set).</summary>
    public static WebApplication MapStudyWeb(this WebApplication app)
    {
        if (app.Services.GetRequiredService<StudyWebOptions>().Token is { Length: > 0 } token)
            app.Use((context, next) => WebAccess.Require(context, token, () => next(context)));
        app.MapGet("/", () => Results.Redirect("/studies"));
        app.MapGet("/healthz", Health);
        app.MapPrometheusScrapingEndpoint("/metrics");
        // The cluster's meter is made with its first trial otherwise: made now, a fresh silo's series are there to scrape
        // (none where the host is not the silo, as in quickstart's server).
        app.Services.GetService<ClusterMetrics>();
        StudyRoutes.Map(app);
        return app;
    }

    /// <summary>200 "active" while the silo is active in its cluster (so liveness and readiness alike), else 503 with its status.</summary>
    static IResult Health(ISiloStatusOracle silo) => silo.CurrentStatus == SiloStatus.Active
        ? Results.Text("active\n")
        : Results.Text($"{silo.CurrentStatus.ToString().ToLowerInvariant()}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
}

/// <summary>The settings the routes read.</summary>
sealed record StudyWebOptions(string? Token);
