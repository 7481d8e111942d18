using System.Globalization;
using BeyondNll.Grains;
using static BeyondNll.Silo.Web.Pages.Html;

namespace BeyondNll.Silo.Web.Pages;

/// <summary>The pages over the whole cluster: the list of studies (live), the backbones, one backbone, and the continuum.</summary>
static class ClusterPages
{
    public static string Studies(IReadOnlyList<StudyStatus> studies) =>
        Page("studies", $"<h1>studies</h1><div id=\"studies\">{StudyList(studies)}</div>", events: "/events/studies"); // not under /studies/: a study may be called "events"

    public static LiveView StudiesLive(IReadOnlyList<StudyStatus> studies) =>
        new(new Dictionary<string, string> { ["studies"] = StudyList(studies) }, null, Final: false);

    static string StudyList(IReadOnlyList<StudyStatus> studies) => studies.Count == 0
        ? "<p class=\"muted\">no study yet: start one with <code>bnll search start</code></p>"
        : Table("study-table", ["study", "state", "backbone", "data", "trials done", "running", "answer", "gain over NLL", "started"],
            studies.OrderByDescending(s => s.Created).Select(s => new[]
            {
                $"<a href=\"/studies/{U(s.Study)}\">{E(s.Study)}</a>",
                $"<span class=\"state-{Name(s.State)}\">{Name(s.State)}</span>",
                $"<a href=\"/backbones/{U(s.Backbone)}\">{E(s.Backbone)}</a>",
                E(s.Dataset),
                $"{s.Trials.Count(t => t.State is not (TrialRunState.Pending or TrialRunState.Running))}/{s.TrialBudget}",
                s.Trials.Count(t => t.State == TrialRunState.Running).ToString(CultureInfo.InvariantCulture),
                E(s.Answer?.Objective ?? "–"),
                Signed(s.Answer?.Gain),
                Time(s.Created),
            }));

    public static string Backbones(IReadOnlyList<BackboneView> backbones) => Page("backbones", "<h1>backbones</h1>" + (backbones.Count == 0
        ? "<p class=\"muted\">none registered: <code>bnll backbone add NAME --path DIR</code></p>"
        : Table("backbone-table", ["backbone", "path", "parameters", "probed on", "best objectives"], backbones.OrderBy(b => b.Name).Select(b => new[]
        {
            $"<a href=\"/backbones/{U(b.Name)}\">{E(b.Name)}</a>", E(b.Path), b.Parameters.ToString("N0", CultureInfo.InvariantCulture),
            E(string.Join(", ", b.Probes.Keys)), E(string.Join(", ", b.Results.Select(r => $"{r.Dataset}: {r.Objective}"))),
        }))));

    /// <summary>One backbone: what it is, its capability probe per data set, and the best objective each study found.</summary>
    public static string Backbone(BackboneView b) => Page($"backbone {b.Name}", $"""
        <h1>backbone {E(b.Name)}</h1>
        {Table("backbone-facts", [], new[]
        {
            new[] { "path", E(b.Path) },
            ["parameters", b.Parameters.ToString("N0", CultureInfo.InvariantCulture)],
            ["tokenizer", E(b.Tokenizer)],
            ["added", Time(b.Added)],
        }, tableClass: "facts")}
        <h2>capability probe</h2>
        {(b.Probes.Count == 0 ? "<p class=\"muted\">not probed yet: a study on it probes it when it finishes, or <code>bnll recommend</code></p>"
            : Table("probes", ["data", "mean p", "median p", "share p > 0.5", "tokens", "region"], b.Probes.OrderBy(p => p.Key).Select(p => new[]
            {
                E(p.Key), Number(p.Value.MeanP), Number(p.Value.MedianP), p.Value.ShareAboveHalf.ToString("P1", CultureInfo.InvariantCulture),
                p.Value.Tokens.ToString("N0", CultureInfo.InvariantCulture), E(p.Value.Region),
            })))}
        <h2>best objective per data set</h2>
        {(b.Results.Count == 0 ? "<p class=\"muted\">no finished study yet</p>"
            : Table("results", ["data", "metric", "best objective", "paper key", "value", "NLL", "gain over NLL", "confirmed", "study"],
                b.Results.OrderBy(r => r.Dataset).Select(r => new[]
                {
                    E(r.Dataset), E(r.Metric), $"<b>{E(r.Objective)}</b>", E(r.PaperKey), Number(r.Value), Number(r.NllValue), Signed(r.Gain),
                    r.Confirmation is { } c ? $"p {Number(c.PValue, "G3")}, {(c.BeyondNoise ? "beyond noise" : "within noise")}" : "no",
                    $"<a href=\"/studies/{U(r.Study)}\">{E(r.Study)}</a>",
                })))}
        """);

    /// <summary>The continuum: every backbone × data set point, its winner and gain, and the map with winners coloured by family.</summary>
    public static string Continuum(IReadOnlyList<ContinuumEntry> entries) => Page("continuum", $"""
        <h1>the capability continuum</h1>
        {(entries.Count == 0 ? "<p class=\"muted\">no finished study yet: each one adds a point</p>"
            : Table("continuum-table", ["backbone", "data", "metric", "mean p", "region", "winner", "gain over NLL ± SE", "p", "confirmed", "trials", "study"],
                entries.OrderBy(e => e.Probe?.MeanP ?? double.MaxValue).Select(e => new[]
                {
                    $"<a href=\"/backbones/{U(e.Backbone)}\">{E(e.Backbone)}</a>", E(e.Dataset), E(e.Metric), Number(e.Probe?.MeanP, "F3"),
                    E(e.Probe?.Region ?? "–"), $"<b>{E(e.Winner)}</b>", $"{Signed(e.Gain)} ± {Number(e.GainStandardError)}",
                    Number(e.PValue, "G3") + (e.BeyondNoise ? " *" : ""), e.Confirmed ? "yes" : "no", e.Trials.ToString(CultureInfo.InvariantCulture),
                    $"<a href=\"/studies/{U(e.Study)}\">{E(e.Study)}</a>",
                })))}
        <div class="figures">
        <img src="/continuum/map.svg" alt="capability against gain over NLL, winners coloured by family">
        <img src="/continuum/power-k.svg" alt="value against k of the power family">
        </div>
        """);

    public static string NotFound(string what) => Page("not found", $"<h1>not found</h1><p>{E(what)}</p>");

    static string Name(StudyState state) => state.ToString().ToLowerInvariant();
}
