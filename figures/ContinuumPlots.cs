using BeyondNll.Grains;
using BeyondNll.Training.Objectives;
using ScottPlot;

namespace BeyondNll.Figures;

/// <summary>
/// The figures of the continuum, drawn with ScottPlot: capability against the gain over NLL (one
/// labelled point per backbone × data set, coloured by the winner's family), the power family's
/// value against k (one line per backbone), and the gradient weights of chosen objectives. Each is a
/// <see cref="Plot"/> (the web page draws it as SVG) and a PNG file (`bnll continuum --plot`).
/// </summary>
public static class ContinuumPlots
{

    /// <summary>The second figure's file: FILE.png gives FILE-k.png beside it.</summary>
    public static string PowerFigurePath(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + "-k" + Path.GetExtension(path));

    /// <summary>Mean p on x, gain of the winner over NLL on y with its standard error; points without a probe are left out.</summary>
    public static void WriteCapabilityGain(IReadOnlyList<ContinuumEntry> entries, string path) => FigureFiles.SavePng(CapabilityGain(entries), path);

    /// <summary>The figure of <see cref="WriteCapabilityGain"/>.</summary>
    public static Plot CapabilityGain(IReadOnlyList<ContinuumEntry> entries)
    {
        var plot = new Plot();
        var shown = entries.Where(e => e.Probe is not null && e.Gain is not null).ToList();
        foreach (var family in shown.GroupBy(e => FamilyColors.FamilyOf(e.Winner)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var xs = family.Select(e => e.Probe!.MeanP).ToArray();
            var ys = family.Select(e => e.Gain!.Value).ToArray();
            var color = FamilyColors.Of(family.Key);
            var scatter = plot.Add.ScatterPoints(xs, ys, color);
            scatter.MarkerSize = 11;
            scatter.LegendText = $"winner: {family.Key}";
            var errors = family.Select(e => e.GainStandardError ?? 0).ToArray();
            var bars = plot.Add.ErrorBar(xs, ys, errors);
            bars.LineColor = color;
            foreach (var e in family)
            {
                // The gain is the challenger's: when NLL won, the label names the challenger it beat.
                var text = e.Winner == Objective.Nll.Spec && e.Challenger is { } c && c != Objective.Nll.Spec
                    ? $"{e.Backbone}: nll (vs {c.Split(" @ ")[0]})" : $"{e.Backbone}: {e.Winner}";
                var label = plot.Add.Text(text + (e.BeyondNoise ? " *" : ""), e.Probe!.MeanP, e.Gain!.Value);
                label.LabelFontSize = 11;
                label.LabelFontColor = color;
                label.OffsetX = 6;
                label.OffsetY = -6;
            }
        }
        var zero = plot.Add.HorizontalLine(0);
        zero.LineColor = Colors.Gray;
        zero.LinePattern = LinePattern.Dashed;
        foreach (var cut in new[] { 0.3, 0.6 })
        {
            var line = plot.Add.VerticalLine(cut);
            line.LineColor = Colors.LightGray;
            line.LinePattern = LinePattern.Dotted;
        }
        plot.Axes.SetLimitsX(0, 1);
        plot.Title("Capability continuum: gain of the confirmed winner over NLL (* beyond noise)");
        plot.XLabel("capability: mean p of the response tokens under the base model");
        plot.YLabel($"gain over NLL ({MetricOf(shown)}; ± SE over seeds)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>The value each power:k trial reached against k (log scale), one line per backbone (searched and confirmed values).</summary>
    public static void WritePowerK(IReadOnlyList<ContinuumEntry> entries, string path) => FigureFiles.SavePng(PowerK(entries), path);

    /// <summary>The figure of <see cref="WritePowerK"/>.</summary>
    public static Plot PowerK(IReadOnlyList<ContinuumEntry> entries)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        var index = 0;
        foreach (var e in entries.OrderBy(e => e.Probe?.MeanP ?? -1))
        {
            var points = e.Objectives.Where(o => o.Role == TrialRoles.Search)
                .Select(o => (Objective: Objective.Parse(o.Objective), o.Mean))
                .Where(o => o.Objective.Family == ObjectiveFamily.Power && o.Objective.Parameter > 0)
                .OrderBy(o => o.Objective.Parameter).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => Math.Log10(p.Objective.Parameter)).ToArray(), points.Select(p => p.Mean).ToArray(),
                palette.GetColor(index++));
            line.MarkerSize = 8;
            line.LegendText = e.Probe is { } probe ? $"{e.Backbone} (mean p {probe.MeanP:F2})" : e.Backbone;
            // NLL (k → 0) of the same backbone, as a dashed level to compare against.
            if (e.Objectives.Where(o => o.Objective == Objective.Nll.Spec && o.Role == TrialRoles.Search).MaxBy(o => o.Mean) is { } nll)
            {
                var level = plot.Add.HorizontalLine(nll.Mean);
                level.LineColor = line.Color;
                level.LinePattern = LinePattern.Dashed;
            }
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var k in new[] { 0.1, 0.3, 1, 3, 10, 20 }) ticks.AddMajor(Math.Log10(k), k.ToString(System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(Math.Log10(0.08), Math.Log10(25)); // the demo's range of k, so that every plot reads alike
        plot.Title("Power family (1 − p^k)/k: value against k per backbone (dashed: its best NLL trial)");
        plot.XLabel("k (log scale)");
        plot.YLabel($"validation {MetricOf(entries)}");
        if (index > 0) plot.ShowLegend(Edge.Right); // outside the data: many backbones would cover it
        else
        {
            // An outside legend with no items leaves ScottPlot drawing nothing at all: say so instead.
            var note = plot.Add.Text("no power:k trial in these searches", Math.Log10(0.3), 0.5);
            note.LabelFontSize = 16;
            plot.Axes.SetLimitsY(0, 1);
        }
        return plot;
    }

    /// <summary>|f'(p)| p (1 − p), the weight on the label logit, for each objective over p in (0, 1).</summary>
    public static void WriteGradientWeights(IReadOnlyList<Objective> objectives, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var ps = Enumerable.Range(1, 399).Select(i => i / 400.0).ToArray();
        for (var i = 0; i < objectives.Count; i++)
        {
            var o = objectives[i];
            var line = plot.Add.ScatterLine(ps, ps.Select(o.GradientWeight).ToArray(), palette.GetColor(i));
            // Earlier curves wider, so that curves which coincide (power:1 and the thresholded p
            // variants on their side of q) stay visible under one another.
            line.LineWidth = 2 + 2 * (objectives.Count - 1 - i);
            line.LegendText = $"{o.Spec} ({o.PaperKey})";
        }
        plot.Axes.SetLimitsX(0, 1);
        plot.Title("Gradient weight on the label logit: |f'(p)| · p(1 − p)");
        plot.XLabel("p, the model's probability of the label");
        plot.YLabel("weight");
        plot.ShowLegend(Alignment.UpperRight);
        FigureFiles.SavePng(plot, path);
    }

    static string MetricOf(IReadOnlyList<ContinuumEntry> entries) =>
        entries.Select(e => e.Metric).Distinct().Count() == 1 ? entries[0].Metric : "metric";
}
