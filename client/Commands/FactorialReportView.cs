using System.Globalization;
using BeyondNll.Studies.Factorial;
using BeyondNll.Training.Objectives;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>The factorial's report as tables: on the console (Spectre) and as Markdown for docs, from the same cells.</summary>
public static class FactorialReportView
{
    /// <summary>A table of the report, as plain text cells: the console and Markdown write the same ones.</summary>
    sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows);

    /// <summary>Per task and condition a table of the levels; then the product's search against the factorial, when it ran.</summary>
    static IReadOnlyList<ReportTable> Tables(FactorialReport report)
    {
        var tables = new List<ReportTable>();
        foreach (var group in report.Levels.GroupBy(l => (l.Task, l.Condition)))
        {
            var objectives = group.SelectMany(l => l.Objectives.Select(o => o.Objective)).Distinct().ToList();
            var challengers = group.SelectMany(l => l.Gains.Select(g => g.Challenger)).Distinct().ToList();
            var rows = group.Select(l => (string[])
            [
                l.Level.ToString(CultureInfo.InvariantCulture), l.Seeds.ToString(CultureInfo.InvariantCulture),
                $"{l.MeanP:F3} ± {l.MeanPSe:F3}", l.HeldOutMeanP is { } heldOut ? $"{heldOut:F3}" : "-", $"{l.AccuracyBefore:F3}",
                .. objectives.Select(o => l.Objectives.FirstOrDefault(x => x.Objective == o) is { } x
                    ? $"{x.MeanTest:F3}" + (x.StandardError is { } se ? $" ± {se:F3}" : "") : "-"),
                .. challengers.Select(c => l.Gains.FirstOrDefault(g => g.Challenger == c) is { } g
                    ? $"{SearchStatusView.Signed(g.Mean)} ({Ci(g)}){(g.BeyondNoise ? " *" : "")}" : "-"),
                l.Verdict == FactorialAnalysis.WithinNoise ? $"within noise (best {l.Winner})" : $"{l.Verdict}: {l.Winner}",
            ]).ToList();
            tables.Add(new ReportTable($"{group.Key.Task}, {group.Key.Condition}: test accuracy, each objective at its own best rate (mean ± SE over seeds)",
                ["level", "seeds", "mean p", "held-out p", "before", .. objectives, .. challengers.Select(c => $"{c} − nll (95% CI)"), "verdict"], rows));
        }
        if (report.Agreement.Count > 0)
            tables.Add(new ReportTable("The product's search against the factorial",
                ["search flags", "task", "condition", "level", "factorial", "searches agreed", "answers", "regret (noise)", "cost share"],
                report.Agreement.Select(a => new[]
                {
                    a.Args.Length == 0 ? "(defaults)" : a.Args, a.Task, a.Condition, a.Level.ToString(CultureInfo.InvariantCulture),
                    $"{a.Verdict} ({a.FactorialWinner})", $"{a.Agreed}/{a.Searches}", string.Join(", ", a.Answers),
                    (a.MeanRegret is { } regret ? $"{regret:F3}" : "-") + (a.Noise is { } noise ? $" ({noise:F3})" : ""), $"{a.CostShare:F2}",
                }).ToList()));
        return tables;
    }

    static IEnumerable<string> SignChangeLines(FactorialReport report) => report.SignChanges.Select(s =>
        $"{s.Task}, {s.Condition}: {s.Challenger} − nll changes sign between mean p {s.FromMeanP:F3} ({SearchStatusView.Signed(s.GainBefore)}) " +
        $"and {s.ToMeanP:F3} ({SearchStatusView.Signed(s.GainAfter)}), crossing 0 near {s.Crossing:F3}");

    public static void Render(FactorialReport report, TextWriter output)
    {
        var console = ClusterCommandLine.AnsiFor(output);
        foreach (var t in Tables(report))
        {
            var table = new Table().Title(Markup.Escape(t.Title)).AddColumns(t.Columns.Select(Markup.Escape).ToArray());
            foreach (var row in t.Rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            console.Write(table);
        }
        foreach (var line in SignChangeLines(report)) output.WriteLine(line);
    }

    /// <summary>The report as Markdown tables, for docs (* marks a gain beyond noise after Holm's correction).</summary>
    public static void RenderMarkdown(FactorialReport report, TextWriter output)
    {
        foreach (var t in Tables(report))
        {
            output.WriteLine($"**{t.Title}**");
            output.WriteLine();
            output.WriteLine("| " + string.Join(" | ", t.Columns) + " |");
            output.WriteLine("|" + string.Concat(t.Columns.Select(_ => "---|")));
            foreach (var row in t.Rows) output.WriteLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|"))) + " |");
            output.WriteLine();
        }
        foreach (var line in SignChangeLines(report)) output.WriteLine($"- {line}");
    }

    static string Ci(FactorialGain g) =>
        g.CiLow is { } lo && g.CiHigh is { } hi ? $"{SearchStatusView.Signed(lo)} to {SearchStatusView.Signed(hi)}" : "untested";
}
