using BeyondNll.Figures;
using BeyondNll.Grains;
using BeyondNll.Studies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BeyondNll.Silo.Web.Pages;

/// <summary>
/// The page routes, each a read through the grain interfaces (the study registry, the studies, the
/// backbones, the continuum) rendered as HTML or SVG. A name that is not there is a 404 page saying so.
/// </summary>
static class StudyRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/studies", async (IGrainFactory grains) => Page(ClusterPages.Studies(await AllStudies(grains))));
        app.MapGet("/events/studies", (HttpContext context, IGrainFactory grains) =>
            LiveUpdates.Stream(context, async () => ClusterPages.StudiesLive(await AllStudies(grains))));
        app.MapGet("/studies/{name}", async (string name, IGrainFactory grains, FigureCache cache) =>
            await Study(grains, name) is { } s ? Page(StudyPage.Render(s, Importance(cache, s))) : NotFound($"no study named '{name}'"));
        app.MapGet("/studies/{name}/events", (string name, HttpContext context, IGrainFactory grains, FigureCache cache) =>
            LiveUpdates.Stream(context, async () => await Study(grains, name) is { } s
                ? StudyPage.Live(s, Importance(cache, s))
                : new LiveView(new Dictionary<string, string>(), null, Final: true)));
        app.MapGet("/studies/{name}/figures/{figure}.svg", async (string name, string figure, IGrainFactory grains, FigureCache cache) =>
        {
            if (!StudyFigures.Names.Contains(figure)) return NotFound($"no figure '{figure}'; the figures are {string.Join(", ", StudyFigures.Names)}");
            if (await Study(grains, name) is not { } s) return NotFound($"no study named '{name}'");
            var svg = cache.Get($"study/{s.Study}/{figure}", StudyPage.FiguresVersion(s),
                () => FigureFiles.Svg(StudyFigures.Draw(figure, s, Importance(cache, s))));
            return Results.Text(svg, "image/svg+xml");
        });

        app.MapGet("/backbones", async (IGrainFactory grains) =>
        {
            var names = await grains.GetGrain<IBackboneRegistryGrain>(0).List();
            var views = await Task.WhenAll(names.Select(n => grains.GetGrain<IBackboneGrain>(n).Get()));
            return Page(ClusterPages.Backbones(views.OfType<BackboneView>().ToList()));
        });
        app.MapGet("/backbones/{name}", async (string name, IGrainFactory grains) =>
            await grains.GetGrain<IBackboneGrain>(name).Get() is { } b ? Page(ClusterPages.Backbone(b)) : NotFound($"no backbone named '{name}'"));

        app.MapGet("/continuum", async (IGrainFactory grains) => Page(ClusterPages.Continuum(await grains.GetGrain<IContinuumGrain>(0).List())));
        app.MapGet("/continuum/{figure}.svg", async (string figure, IGrainFactory grains) =>
        {
            var entries = await grains.GetGrain<IContinuumGrain>(0).List();
            return figure switch
            {
                "map" => Results.Text(FigureFiles.Svg(ContinuumPlots.CapabilityGain(entries)), "image/svg+xml"),
                "power-k" => Results.Text(FigureFiles.Svg(ContinuumPlots.PowerK(entries)), "image/svg+xml"),
                _ => NotFound($"no continuum figure '{figure}'; they are map and power-k"),
            };
        });
    }

    /// <summary>Every study in the registry, read at once.</summary>
    static async Task<IReadOnlyList<StudyStatus>> AllStudies(IGrainFactory grains)
    {
        var names = await grains.GetGrain<IStudyRegistryGrain>(0).List();
        var statuses = await Task.WhenAll(names.Select(n => Study(grains, n)));
        return statuses.OfType<StudyStatus>().ToList();
    }

    /// <summary>The study's status, or null when there is no study of that name.</summary>
    static async Task<StudyStatus?> Study(IGrainFactory grains, string name)
    {
        if (!StudyRequestValidator.IsStudyName(name)) return null;
        try
        {
            return await grains.GetGrain<IStudyGrain>(name).GetStatus();
        }
        catch (ArgumentException)
        {
            return null; // "no study named ..."
        }
    }

    /// <summary>The study's importance, computed once per change of its values.</summary>
    static IReadOnlyDictionary<string, double> Importance(FigureCache cache, StudyStatus s) =>
        cache.Get($"study/{s.Study}/importance", StudyPage.FiguresVersion(s), () => StudyImportance.Of(s));

    static IResult Page(string html) => Results.Content(html, "text/html; charset=utf-8");

    static IResult NotFound(string what) => Results.Content(ClusterPages.NotFound(what), "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
}
