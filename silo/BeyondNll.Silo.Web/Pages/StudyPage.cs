using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BeyondNll.Figures;
using BeyondNll.Grains;
using BeyondNll.Training.Trainer;
using static BeyondNll.Silo.Web.Pages.Html;

namespace BeyondNll.Silo.Web.Pages;

/// <summary>
/// One study's page: what it is and where it stands, its answer and confirmation, its trials (state,
/// objective, recipe, value, attempts and where they ran) and its figures. The summary and the
/// trials are sent again as they change (<see cref="Live"/>), the figures when a value arrives.
/// </summary>
static class StudyPage
{
    public static string Render(StudyStatus s, IReadOnlyDictionary<string, double> importance) => Page($"study {s.Study}", $"""
        <h1>study {E(s.Study)}</h1>
        <div id="summary">{Summary(s, importance)}</div>
        <h2>trials</h2>
        <div id="trials">{Trials(s)}</div>
        <h2>figures</h2>
        <div class="figures">{string.Concat(StudyFigures.Names.Select(f => Figure(s, f)))}</div>
        """, events: $"/studies/{U(s.Study)}/events");

    public static LiveView Live(StudyStatus s, IReadOnlyDictionary<string, double> importance) =>
        new(new Dictionary<string, string> { ["summary"] = Summary(s, importance), ["trials"] = Trials(s) }, FiguresVersion(s), IsFinished(s.State));

    public static bool IsFinished(StudyState state) => state is StudyState.Completed or StudyState.Cancelled or StudyState.Failed;

    /// <summary>
    /// Changes whenever a figure would: a trial's state, value or intermediate values (not its step,
    /// which moves every few seconds and shows in the table).
    /// </summary>
    public static string FiguresVersion(StudyStatus s)
    {
        var text = new StringBuilder(s.State.ToString());
        foreach (var t in s.Trials)
            text.Append(CultureInfo.InvariantCulture, $"|{t.Number}:{t.State}:{t.Value:R}:{t.Intermediate.Count}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    static string Figure(StudyStatus s, string name)
    {
        var path = $"/studies/{U(s.Study)}/figures/{name}.svg";
        return $"<img data-figure=\"{path}\" src=\"{path}?v={FiguresVersion(s)}\" alt=\"{name} of {E(s.Study)}\">";
    }

    static string Summary(StudyStatus s, IReadOnlyDictionary<string, double> importance)
    {
        var done = s.Trials.Count(t => t.State is not (TrialRunState.Pending or TrialRunState.Running));
        var counts = string.Join(" · ", s.Trials.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Name(g.Key)}"));
        var facts = new List<(string, string)>
        {
            ("state", $"<span class=\"state-{Name(s.State)}\" id=\"study-state\">{Name(s.State)}</span>"),
            ("backbone", $"<a href=\"/backbones/{U(s.Backbone)}\">{E(s.Backbone)}</a> on data {E(s.Dataset)}"),
            ("metric", $"{E(s.Metric)} ({E(s.Direction)})"),
            ("search", $"sampler {E(s.Sampler)} · pruner {E(s.Pruner)} · workload {E(s.Workload)} · {s.Parallel} in parallel"),
            ("trials", $"{done}/{s.TrialBudget} done" + (counts.Length > 0 ? $" · {counts}" : "")),
            ("base recipe", E(RecipeLine(s.Recipe))),
            ("started", Time(s.Created)),
        };
        if (!string.IsNullOrEmpty(s.Message)) facts.Add(("message", E(s.Message)));
        facts.Add(("answer", Answer(s.Answer)));
        facts.Add(("importance", importance.Count == 0 ? "<span class=\"muted\">needs two completed trials whose values differ</span>"
            : string.Join(" · ", importance.Select(kv => $"{E(kv.Key)} {kv.Value.ToString("P0", CultureInfo.InvariantCulture)}"))));
        var html = Table("facts", [], facts.Select(f => new[] { f.Item1, f.Item2 }), tableClass: "facts");
        return s.Confirmation is { } c ? html + Confirmation(c) : html;
    }

    static string Answer(StudyAnswer? a)
    {
        if (a is null) return "<span class=\"muted\">none yet: no trial has finished</span>";
        var text = $"<b>{E(a.Objective)}</b> at lr {Number(a.LearningRate, "G3")}: {Number(a.Value)}";
        if (a.Challenger is { } c) text += $"; best challenger {E(c)} {Number(a.ChallengerValue)}";
        if (a.NllValue is { } nll) text += $"; NLL {Number(nll)}";
        if (a.Gain is { } gain) text += $"; gain over NLL <b>{Signed(gain)}</b>";
        return text + (a.Confirmed ? $" (confirmed on fresh seeds, p {Number(a.PValue, "G3")}{(a.BeyondNoise ? ", beyond noise" : ", within noise")})" : " (single search trials)");
    }

    static string Confirmation(ConfirmationView c)
    {
        var rows = c.Configurations.Select(x => new[]
        {
            E(x.Name), E(x.Role), $"<span class=\"num\">{Number(x.Mean)} ± {Number(x.StandardError)}</span>", x.Values.Count.ToString(CultureInfo.InvariantCulture),
            E(string.Join(", ", x.Values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))),
        });
        var verdict = c.Gain is not { } gain ? "no challenger to compare"
            : $"gain of {E(c.Challenger)} over NLL {Signed(gain)} ± {Number(c.GainStandardError)} " +
              $"(95% interval {Signed(gain - 1.96 * (c.GainStandardError ?? 0))} to {Signed(gain + 1.96 * (c.GainStandardError ?? 0))}), " +
              $"{E(c.Test)} p {Number(c.PValue, "G3")}: <b>{(c.BeyondNoise ? "beyond noise" : "within noise")}</b>; winner {E(c.Winner)}";
        return $"<h2>confirmation on {c.Seeds} fresh seeds</h2>" +
               Table("confirmation", ["configuration", "role", "mean ± SE", "seeds", "values"], rows) + $"<p>{verdict}</p>";
    }

    static string Trials(StudyStatus s) => Table("trial-table",
        ["#", "objective", "recipe", "state", $"validation {s.Metric}", "attempts", "where (silo / device: outcome)", "note"],
        s.Trials.OrderBy(t => t.Number).Select(t => new[]
        {
            t.Number.ToString(CultureInfo.InvariantCulture),
            E(t.Objective) + (t.Role == TrialRoles.Confirm ? " <span class=\"muted\">(confirm)</span>" : ""),
            $"<span title=\"{E(RecipeFields.ToJson(t.Recipe).ToJsonString())}\">{E(RecipeLine(t.Recipe))}</span>",
            State(t),
            $"<span class=\"num\">{Number(t.Value)}</span>",
            t.Attempts.Count.ToString(CultureInfo.InvariantCulture),
            string.Join("<br>", t.Attempts.Select(a => $"{E(a.Silo)} / {E(a.Device)}: {E(a.Outcome)}")),
            E(t.Message),
        }), rowClass: "trial");

    /// <summary>The state cell: a trial's row is found by its number (data-trial), its state read from data-state.</summary>
    static string State(TrialView t)
    {
        var state = Name(t.State);
        var progress = t.State == TrialRunState.Running && t.Steps > 0
            ? $" <progress max=\"{t.Steps}\" value=\"{t.Step}\"></progress> {t.Step}/{t.Steps}" : "";
        return $"<span class=\"state state-{state}\" data-trial=\"{t.Number}\" data-state=\"{state}\">{state}</span>{progress}";
    }

    static string RecipeLine(TrainingRecipe r) => string.Create(CultureInfo.InvariantCulture, $"lr {r.LearningRate:G3} · {r.Steps} steps · batch {r.BatchSize} · seed {r.Seed}");

    static string Name(TrialRunState state) => state.ToString().ToLowerInvariant();

    static string Name(StudyState state) => state.ToString().ToLowerInvariant();
}
