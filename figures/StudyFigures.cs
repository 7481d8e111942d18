using System.Globalization;
using BeyondNll.Grains;
using BeyondNll.Studies;
using ScottPlot;

namespace BeyondNll.Figures;

/// <summary>
/// A study's figures, from its status alone: the optimisation history, the learning curves (the
/// metric at each intermediate evaluation), the parallel coordinates of its parameters
/// (<see cref="ParallelCoordinates"/>) and the parameter importance (<see cref="StudyImportance"/>).
/// `bnll search plot` writes them as PNG files and the silo's web page shows them as SVG: the same figures.
/// </summary>
public static class StudyFigures
{
    /// <summary>The figures by name, as `bnll search plot` writes them (NAME.png) and the web page serves them (NAME.svg).</summary>
    public static readonly IReadOnlyList<string> Names = ["history", "curves", "parallel", "importance"];

    /// <summary>The figure called <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    /// <param name="importance">The study's importance when the caller has it already (it takes a forest to compute).</param>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static Plot Draw(string name, StudyStatus status, IReadOnlyDictionary<string, double>? importance = null) => name switch
    {
        "history" => History(status),
        "curves" => Curves(status),
        "parallel" => ParallelCoordinates.Draw(status),
        "importance" => Importance(importance ?? StudyImportance.Of(status), status.Study),
        _ => throw new ArgumentException($"no figure '{name}'; the figures are {string.Join(", ", Names)}"),
    };

    /// <summary>Writes every figure into <paramref name="folder"/> as NAME.png and returns the paths.</summary>
    public static IReadOnlyList<string> WriteAll(StudyStatus status, string folder)
    {
        var importance = StudyImportance.Of(status);
        var paths = new List<string>();
        foreach (var name in Names)
        {
            var path = Path.Combine(Path.GetFullPath(folder), name + ".png");
            FigureFiles.SavePng(Draw(name, status, importance), path);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>
    /// Each search trial's value against its number, coloured by objective family (pruned ones hollow,
    /// at their last intermediate value), the best so far as a step line, and the confirmation's re-runs in grey.
    /// </summary>
    public static Plot History(StudyStatus status)
    {
        var plot = new Plot();
        var maximize = status.Direction == "maximize";
        var search = status.Trials.Where(t => t.Role == TrialRoles.Search).OrderBy(t => t.Number).ToList();
        foreach (var family in search.Where(t => t.State == TrialRunState.Completed && t.Value is not null)
                     .GroupBy(t => FamilyColors.FamilyOf(t.Objective)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var points = plot.Add.ScatterPoints(family.Select(t => (double)t.Number).ToArray(), family.Select(t => t.Value!.Value).ToArray(),
                FamilyColors.Of(family.Key));
            points.MarkerSize = 9;
            points.LegendText = family.Key;
        }
        var pruned = search.Where(t => t.State == TrialRunState.Pruned && t.Intermediate.Count > 0).ToList();
        if (pruned.Count > 0)
        {
            var points = plot.Add.ScatterPoints(pruned.Select(t => (double)t.Number).ToArray(), pruned.Select(t => t.Intermediate[^1].Value).ToArray(), Colors.Gray);
            points.MarkerShape = MarkerShape.OpenCircle;
            points.MarkerSize = 9;
            points.LegendText = "pruned (last value)";
        }
        var confirm = status.Trials.Where(t => t.Role == TrialRoles.Confirm && t.Value is not null).ToList();
        if (confirm.Count > 0)
        {
            var points = plot.Add.ScatterPoints(confirm.Select(t => (double)t.Number).ToArray(), confirm.Select(t => t.Value!.Value).ToArray(), Colors.Gray);
            points.MarkerShape = MarkerShape.FilledSquare;
            points.MarkerSize = 6;
            points.LegendText = "confirmation re-runs";
        }
        var best = BestSoFar(search, maximize);
        if (best.Count > 0)
        {
            var line = plot.Add.Scatter(best.Select(b => (double)b.Number).ToArray(), best.Select(b => b.Best).ToArray(), Colors.DarkRed);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = "best so far";
        }
        plot.Title($"{status.Study}: optimisation history ({status.Metric}, {(maximize ? "higher" : "lower")} is better)");
        plot.XLabel("trial");
        plot.YLabel($"validation {status.Metric}");
        ShowLegendOrSay(plot, best.Count > 0 || pruned.Count > 0 || confirm.Count > 0, "no trial has a value yet");
        return plot;
    }

    /// <summary>The best value among the completed search trials up to each one, for the history's step line.</summary>
    public static IReadOnlyList<(int Number, double Best)> BestSoFar(IEnumerable<TrialView> trials, bool maximize)
    {
        var result = new List<(int, double)>();
        double? best = null;
        foreach (var t in trials.Where(t => t.State == TrialRunState.Completed && t.Value is not null).OrderBy(t => t.Number))
        {
            var v = t.Value!.Value;
            if (best is null || (maximize ? v > best : v < best)) best = v;
            result.Add((t.Number, best.Value));
        }
        return result;
    }

    /// <summary>
    /// Each trial's learning curve: the study's metric at each intermediate evaluation against the
    /// training step, coloured by family; pruned trials dashed (where the pruner stopped them is where they end).
    /// </summary>
    public static Plot Curves(StudyStatus status)
    {
        var plot = new Plot();
        var labelled = new HashSet<string>();
        // A trial's intermediate values are read from its curve once (TrialView computes them on each access).
        foreach (var (t, values) in status.Trials.OrderBy(t => t.Number).Select(t => (t, t.Intermediate)).Where(x => x.Intermediate.Count > 0))
        {
            var family = FamilyColors.FamilyOf(t.Objective);
            var line = plot.Add.Scatter(values.Select(v => (double)v.Step).ToArray(), values.Select(v => v.Value).ToArray(),
                FamilyColors.Of(family).WithAlpha(0.75));
            line.MarkerSize = 4;
            line.LineWidth = 1.5f;
            if (t.State == TrialRunState.Pruned) line.LinePattern = LinePattern.Dashed;
            if (labelled.Add(family)) line.LegendText = family;
        }
        // The explanation goes under the axis, not into the title: a study's name plus it ran past the figure's edges.
        plot.Title($"{status.Study}: learning curves");
        plot.XLabel("training step (each intermediate evaluation; pruned trials dashed)");
        plot.YLabel($"validation {status.Metric}");
        ShowLegendOrSay(plot, labelled.Count > 0, "no intermediate evaluation yet (a study with --evaluations 0 has none)");
        return plot;
    }

    /// <summary>The parameters' shares as horizontal bars, the most important on top.</summary>
    public static Plot Importance(IReadOnlyDictionary<string, double> importance, string study)
    {
        var plot = new Plot();
        var ordered = importance.OrderBy(kv => kv.Value).ToList(); // bars go up from the bottom: the largest last, on top
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < ordered.Count; i++)
        {
            var bar = plot.Add.Bar(new Bar
            {
                Position = i, Value = ordered[i].Value, FillColor = Colors.SteelBlue, Orientation = Orientation.Horizontal,
                Label = ordered[i].Value.ToString("P0", CultureInfo.InvariantCulture),
            });
            bar.ValueLabelStyle.FontSize = 14;
            ticks.AddMajor(i, ordered[i].Key);
        }
        plot.Axes.Left.TickGenerator = ticks;
        plot.Title($"{study}: parameter importance");
        plot.XLabel("share of the variance of completed trials' values (fANOVA)");
        if (ordered.Count == 0)
        {
            Say(plot, "needs at least two completed trials whose values differ");
        }
        else plot.Axes.SetLimits(0, Math.Min(1.05, ordered[^1].Value * 1.2 + 0.05), -0.6, ordered.Count - 0.4);
        return plot;
    }

    /// <summary>The legend outside the data (inside, it hid the best trials); with nothing drawn, a note instead.</summary>
    static void ShowLegendOrSay(Plot plot, bool anything, string nothing)
    {
        if (anything) plot.ShowLegend(Edge.Right); // an outside legend with no items draws nothing at all: hence the note
        else Say(plot, nothing);
    }

    /// <summary>A note in the middle of an empty figure, so that it says why it is empty.</summary>
    internal static void Say(Plot plot, string text)
    {
        var note = plot.Add.Text(text, 0.5, 0.5);
        note.LabelFontSize = 16;
        note.LabelAlignment = Alignment.MiddleCenter;
        plot.Axes.SetLimits(0, 1, 0, 1);
    }
}
