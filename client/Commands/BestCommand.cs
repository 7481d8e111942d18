using System.CommandLine;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll best --backbone B</c>: per data set, the best objective any finished study found for the
/// backbone, against NLL — what the backbone grain keeps across studies.
/// </summary>
public static class BestCommand
{
    public sealed record ResultJson(string Dataset, string Objective, string PaperKey, double Value, double? NllValue,
        double? Gain, string Study, string Metric, SearchStatusView.ConfirmationJson? Confirmation);

    public sealed record BestJson(string Backbone, IReadOnlyList<ResultJson> Results);

    public static Command Create()
    {
        var backbone = new Option<string>("--backbone") { Description = "A registered backbone.", Required = true };
        var json = ClusterCommandLine.Json();
        return ClusterCommandLine.Create("best", "The best objective found for a backbone, per data set, against NLL.", [backbone, json],
            (parse, grains, ct) => BestAsync(grains, parse.GetValue(backbone)!, parse.GetValue(json), Console.Out, ct));
    }

    /// <exception cref="ArgumentException">No backbone has that name.</exception>
    public static async Task<int> BestAsync(IGrainFactory grains, string backbone, bool json, TextWriter output, CancellationToken ct)
    {
        var view = await ClusterRetry.Query(() => grains.GetGrain<IBackboneGrain>(backbone).Get(), ct)
            ?? throw new ArgumentException($"no backbone named {backbone}; see `bnll backbone list`");
        var report = ToJson(view);
        if (json)
        {
            JsonOutput.Write(output, report);
            return 0;
        }
        if (report.Results.Count == 0)
        {
            output.WriteLine($"no results for {backbone} yet: they are recorded when a study of it completes");
            return 0;
        }
        var table = TableLayout.For(new Table().AddColumns("data", "objective", "paper key", "value", "nll", "gain", "confirmed winner", "confirmed gain ± SE", "study"), output);
        foreach (var r in report.Results)
            table.AddRow(Markup.Escape(r.Dataset), Markup.Escape(r.Objective), Markup.Escape(r.PaperKey),
                $"{r.Metric} {SearchStatusView.Format(r.Value)}", SearchStatusView.Format(r.NllValue),
                r.Gain is { } gain ? SearchStatusView.Signed(gain) : "-",
                Markup.Escape(r.Confirmation?.WinnerObjective ?? "-"),
                r.Confirmation is { Gain: { } g } c
                    ? $"{SearchStatusView.Signed(g)} ± {SearchStatusView.Format(c.GainSe)}{(c.BeyondNoise ? " *" : "")}" : "-",
                Markup.Escape(r.Study));
        ClusterCommandLine.AnsiFor(output).Write(table);
        return 0;
    }

    public static BestJson ToJson(BackboneView view) => new(view.Name, view.Results
        .OrderBy(r => r.Dataset, StringComparer.Ordinal)
        .Select(r => new ResultJson(r.Dataset, r.Objective, r.PaperKey, r.Value, r.NllValue, r.Gain, r.Study, r.Metric,
            SearchStatusView.ToJson(r.Confirmation)))
        .ToList());
}
