using System.CommandLine;
using System.Globalization;
using BeyondNll.Training.Objectives;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>`bnll objective show SPEC`: an objective's values and gradient weights at chosen p.</summary>
public static class ObjectiveCommand
{
    public sealed record Point(double P, double F, double Weight);
    public sealed record Shown(string Spec, string PaperKey, IReadOnlyList<Point> Points);

    public static Command Create()
    {
        var command = new Command("objective", "Inspect one objective of the family.");
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreatePlot());
        return command;
    }

    /// <summary>The objectives drawn when none are named: NLL and the paper's prior-leaning ones.</summary>
    public static readonly IReadOnlyList<string> PlotDefaults = ["nll", "power:1", "power:10", "top-p:0.5", "bottom-p:0.5"];

    static Command CreatePlot()
    {
        var file = new Argument<string>("FILE") { Description = "The PNG file to write." };
        var specs = new Argument<string[]>("SPEC") { Description = "Objective specs or paper keys (default: " + string.Join(" ", PlotDefaults) + ").", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("plot", "Draw the gradient weights |f'(p)| p (1-p) of objectives over p, as a PNG.") { file, specs };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"FILE '{path}' must end in .png");
            var named = parse.GetValue(specs) is { Length: > 0 } given ? given : PlotDefaults.ToArray();
            var objectives = named.Select(Objective.Parse).ToList();
            Figures.ContinuumPlots.WriteGradientWeights(objectives, path);
            Console.WriteLine($"wrote {Path.GetFullPath(path)}: gradient weights of {string.Join(", ", objectives.Select(o => o.Spec))}");
            return 0;
        });
        return command;
    }

    static Command CreateShow()
    {
        var spec = new Argument<string>("SPEC") { Description = "An objective spec (nll, power:10, top-p:0.5, ...) or paper key." };
        var ps = new Option<string>("--p") { Description = "Comma-separated probabilities in (0, 1].", DefaultValueFactory = _ => "0.01,0.1,0.5,0.9,0.99" };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("show", "Show f(p) and the gradient weight |f'(p)| p (1-p) on the label logit.") { spec, ps, json };
        command.SetAction(parse =>
        {
            var shown = Show(Objective.Parse(parse.GetValue(spec)!), ParseProbabilities(parse.GetValue(ps)!));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(shown);
                return 0;
            }
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(shown.Spec)}[/]  (paper key {Markup.Escape(shown.PaperKey)})");
            var table = new Table().AddColumns("p", "f(p)", "weight |f'(p)| p(1-p)");
            foreach (var pt in shown.Points) table.AddRow(Fmt(pt.P), Fmt(pt.F), Fmt(pt.Weight));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    public static Shown Show(Objective objective, IReadOnlyList<double> ps) =>
        new(objective.Spec, objective.PaperKey, ps.Select(p => new Point(p, objective.Value(p), objective.GradientWeight(p))).ToList());

    static IReadOnlyList<double> ParseProbabilities(string text)
    {
        var result = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var p))
                throw new FormatException($"--p: '{part}' is not a number");
            if (!(p > 0 && p <= 1)) throw new ArgumentException($"--p: {part} is not a probability in (0, 1]");
            result.Add(p);
        }
        if (result.Count == 0) throw new ArgumentException("--p: give at least one probability");
        return result;
    }

    static string Fmt(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
