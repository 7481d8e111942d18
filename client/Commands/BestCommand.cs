using System.CommandLine;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using BeyondNll.Studies;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll best --backbone B</c>: per data set, the answer that counts among the backbone's studies
/// (a confirmed one before an unconfirmed one, then the most seeds, then the latest: the continuum's
/// rule) against NLL — what the backbone grain keeps. Simulated studies never enter it.
/// </summary>
public static class BestCommand
{
    /// <summary>One data set's answer: <c>value</c> on validation, <c>test_value</c> on held-out test data, <c>lr</c> the
    /// winner's rate; <c>nll_value</c> and <c>gain</c> on <c>split</c>; <c>confirmed</c> false: unconfirmed single trials.</summary>
    public sealed record ResultJson(string Dataset, string Objective, string PaperKey, double Value, double? NllValue,
        double? Gain, string Study, string Metric, SearchStatusView.ConfirmationJson? Confirmation,
        double? TestValue, double Lr, bool Confirmed, string Split);

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
        var table = TableLayout.For(new Table().AddColumns("data", "answer", "paper key", "lr", "validation", "test", "nll", "gain over NLL", "study"), output);
        foreach (var r in report.Results)
            table.AddRow(Markup.Escape(r.Dataset), Markup.Escape($"{r.Objective} ({(r.Confirmed ? "confirmed" : "unconfirmed")})"),
                Markup.Escape(r.PaperKey), r.Lr.ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                $"{r.Metric} {SearchStatusView.Format(r.Value)}", SearchStatusView.Format(r.TestValue), SearchStatusView.Format(r.NllValue),
                r.Gain is not { } gain ? "-"
                    : $"{SearchStatusView.Signed(gain)} on {r.Split}" + (r.Confirmation is { } c
                        ? $" ± {SearchStatusView.Format(c.GainSe)}{(c.BeyondNoise ? " *" : "")}" : ""),
                Markup.Escape(r.Study));
        ClusterCommandLine.AnsiFor(output).Write(table);
        // The legend says what a star means, or, where confirmed gains have none, that none is beyond noise.
        const string rule = "paired t over the confirmation's seeds, Holm-adjusted p < 0.05";
        if (report.Results.Any(r => r.Confirmation?.BeyondNoise == true)) output.WriteLine($"* beyond noise: {rule}");
        else if (report.Results.Any(r => r.Confirmation is not null)) output.WriteLine($"no confirmed gain here is beyond noise ({rule})");
        return 0;
    }

    public static BestJson ToJson(BackboneView view) => new(view.Name, view.Results
        .OrderBy(r => r.Dataset, StringComparer.Ordinal)
        .Select(r => new ResultJson(r.Dataset, r.Objective, r.PaperKey, r.Value, r.NllValue, r.Gain, r.Study, r.Metric,
            SearchStatusView.ToJson(r.Confirmation), r.TestValue, r.LearningRate, StudyEvidence.IsConfirmed(r), r.Split))
        .ToList());
}
