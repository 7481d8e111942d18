using BeyondNll.Studies.Factorial;
using ScottPlot;

namespace BeyondNll.Figures;

/// <summary>
/// The factorial's figures: per task and data condition, each challenger's gain over NLL (both at their
/// own best rates, on test) against the backbones' mean p, with the 95% interval over seeds.
/// </summary>
public static class FactorialPlots
{
    /// <summary>Writes one PNG per task and condition into <paramref name="folder"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(FactorialReport report, string folder)
    {
        var written = new List<string>();
        foreach (var group in report.Levels.GroupBy(l => (l.Task, l.Condition)))
        {
            var path = Path.Combine(folder, $"factorial-{group.Key.Task}-{group.Key.Condition.Replace(':', '-')}.png");
            FigureFiles.SavePng(Gains(group.Key.Task, group.Key.Condition, group.ToList()), path);
            written.Add(Path.GetFullPath(path));
        }
        return written;
    }

    /// <summary>One line per challenger: its mean gain at each level, the interval as error bars (none where untested).</summary>
    public static Plot Gains(string task, string condition, IReadOnlyList<FactorialLevel> levels)
    {
        var plot = new Plot();
        var ordered = levels.OrderBy(l => l.MeanP).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var challenger in ordered.SelectMany(l => l.Gains.Select(g => g.Challenger)).Distinct())
        {
            var points = ordered.Select(l => (l.MeanP, Gain: l.Gains.FirstOrDefault(g => g.Challenger == challenger)))
                .Where(p => p.Gain is not null).ToList();
            var color = palette.GetColor(index++);
            var xs = points.Select(p => p.MeanP).ToArray();
            var ys = points.Select(p => p.Gain!.Mean).ToArray();
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = $"{challenger} − nll";
            line.MarkerSize = 8;
            var bars = plot.Add.ErrorBar(xs, ys, points.Select(p => p.Gain!.CiHigh is { } hi ? hi - p.Gain.Mean : 0).ToArray());
            bars.LineColor = color;
        }
        var zero = plot.Add.HorizontalLine(0);
        zero.LineColor = Colors.Gray;
        zero.LinePattern = LinePattern.Dashed;
        plot.Axes.SetLimitsX(0, 1);
        plot.Title($"{task}, {condition}: gain over NLL on test, each at its own best rate (95% CI over seeds)");
        plot.XLabel("capability: mean p of the training responses under the backbone");
        plot.YLabel("test accuracy: challenger − NLL");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }
}
