using System.Globalization;
using System.Text.Json;
using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Studies;
using ScottPlot;

namespace BeyondNll.Figures;

/// <summary>
/// The parallel-coordinates view of a study: one vertical axis per parameter of its search space
/// (family, k, q, learning rate, ...) and a last one for the value; each completed search trial is a
/// line through its parameters, coloured by its value (yellow best, dark worst). Numeric axes span the
/// parameter's whole range (log scale for log parameters), categorical ones spread the choices; a
/// parameter a trial does not have (k of an NLL trial) sits on the "—" row below the axis.
/// </summary>
public static class ParallelCoordinates
{
    const double Inactive = -0.12;

    public static Plot Draw(StudyStatus status)
    {
        var plot = new Plot();
        var space = string.IsNullOrWhiteSpace(status.SpaceJson) ? null : SearchSpace.FromJson(status.SpaceJson);
        var trials = status.Trials.Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null)
            .ToList();
        plot.Title($"{status.Study}: completed trials (colour: {status.Metric}, yellow best)");
        if (space is null || trials.Count == 0)
        {
            StudyFigures.Say(plot, space is null ? "the study's search space is not recorded" : "no completed trial yet");
            return plot;
        }
        var parameters = space.Parameters;
        var values = trials.Select(t => t.Value!.Value).ToArray();
        var (min, max) = (values.Min(), values.Max());
        var maximize = status.Direction == "maximize";
        var colormap = new ScottPlot.Colormaps.Viridis();

        // Worst first, so that the best lines are drawn last, on top.
        foreach (var t in trials.OrderBy(t => maximize ? t.Value : -t.Value))
        {
            var given = TrialParameters.FromJson(space, t.ParamsJson);
            var ys = parameters.Select(p => given.TryGetValue(p.Name, out var v) ? Position(p, v) : Inactive)
                .Append(Fraction(t.Value!.Value, min, max)).ToArray();
            var goodness = maximize ? Fraction(t.Value!.Value, min, max) : 1 - Fraction(t.Value!.Value, min, max);
            var line = plot.Add.ScatterLine(Enumerable.Range(0, ys.Length).Select(i => (double)i).ToArray(), ys, colormap.GetColor(goodness));
            line.LineWidth = 2;
        }

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i <= parameters.Count; i++)
        {
            var axis = plot.Add.VerticalLine(i);
            axis.LineColor = Colors.Gray;
            axis.LineWidth = 1;
            ticks.AddMajor(i, i < parameters.Count ? parameters[i].Name : status.Metric);
            var labels = i < parameters.Count ? Labels(parameters[i]) : [(0.0, Number(min)), (1.0, Number(max))];
            foreach (var (at, text) in labels) Label(plot, i, at, text);
            if (i < parameters.Count && parameters[i].IsConditional) Label(plot, i, Inactive, "—");
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(); // positions are per axis, labelled on it
        plot.HideGrid();
        plot.Axes.SetLimits(-0.3, parameters.Count + 0.6, Inactive - 0.08, 1.08);
        return plot;
    }

    /// <summary>Where a parameter's internal value sits on its axis, 0 (low, first choice) to 1 (high, last choice).</summary>
    public static double Position(ParameterSpec p, double value) => p.Kind switch
    {
        ParameterKind.Categorical => p.Choices.Count == 1 ? 0.5 : value / (p.Choices.Count - 1),
        _ when p.Log => Fraction(Math.Log10(value), Math.Log10(p.Low), Math.Log10(p.High)),
        _ => Fraction(value, p.Low, p.High),
    };

    static IEnumerable<(double At, string Text)> Labels(ParameterSpec p) => p.Kind == ParameterKind.Categorical
        ? p.Choices.Select((c, i) => (Position(p, i), c.ValueKind == JsonValueKind.String ? c.GetString()! : c.GetRawText()))
        : [(0.0, Number(p.Low)), (1.0, Number(p.High))];

    static void Label(Plot plot, double x, double y, string text)
    {
        var label = plot.Add.Text(text, x, y);
        label.LabelFontSize = 11;
        label.OffsetX = 4;
        label.LabelAlignment = Alignment.MiddleLeft;
    }

    static double Fraction(double value, double low, double high) => high > low ? Math.Clamp((value - low) / (high - low), 0, 1) : 0.5;

    static string Number(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
