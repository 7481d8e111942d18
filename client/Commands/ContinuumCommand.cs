using System.CommandLine;
using System.Globalization;
using BeyondNll.Client.Cluster;
using BeyondNll.Client.Continuum;
using BeyondNll.Figures;
using BeyondNll.Grains;
using BeyondNll.Studies;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll continuum [--json] [--plot FILE.png] [--all]</c>: the stored continuum, one row per backbone ×
/// data set — the point that counts (a confirmed one before an unconfirmed one, then the most seeds,
/// then the latest; <c>--all</c>: every study's point) — with mean p, region, the study's answer
/// (confirmed or unconfirmed), paper key, gain over NLL ± SE, trials; and its figures.
/// </summary>
public static class ContinuumCommand
{
    /// <summary>One objective's value in a study: <c>mean</c> on validation, <c>test_mean</c> on held-out test data.</summary>
    public sealed record ObjectiveJson(string Objective, double Lr, string Role, double Mean, double? Se, int N, double? TestMean = null);

    /// <summary>A study's point: <c>winner</c> is its answer (<c>confirmed</c> false: unconfirmed), <c>value</c> and <c>test_value</c>
    /// the winner's on validation and test, <c>gain</c> on <c>split</c>, <c>p_adjusted</c> Holm's; <c>counts</c> whether it is
    /// the point read for its backbone, data set and metric.</summary>
    public sealed record EntryJson(string Backbone, string Dataset, string Metric, string Study, double? MeanP, double? MedianP,
        double? ShareAboveHalf, string? Region, string Winner, string PaperKey, double WinnerLr, string? Challenger, double? Gain,
        double? GainSe, double? PValue, bool BeyondNoise, bool Confirmed, int Trials, long TrainingSteps,
        IReadOnlyList<ObjectiveJson> Objectives, double? Value = null, double? TestValue = null, string Split = "validation", int Pairs = 0,
        double? PAdjusted = null, IReadOnlyList<double>? Ci95 = null, double? HeldOutMeanP = null, int ProbeLength = 0, bool Counts = true);

    public sealed record ContinuumJson(IReadOnlyList<EntryJson> Entries, IReadOnlyList<string> Figures);

    public static Command Create()
    {
        var json = ClusterCommandLine.Json();
        var plot = new Option<string?>("--plot") { Description = "Write the figures: FILE.png (capability against gain) and FILE-k.png (value against k for the power family)." };
        var from = new Option<string[]>("--from") { Description = "Read the entries from continuum JSON files (`bnll continuum --json`, a demo's continuum.json) instead of the cluster; repeatable, merged." };
        var all = new Option<bool>("--all") { Description = "Every study's point, not only the one that counts per backbone and data set." };
        var gateway = ClusterCommandLine.Gateway();
        var command = new Command("continuum", "The capability continuum: per backbone and data set, the study's answer and its gain over NLL.")
            { json, plot, from, all, gateway };
        command.SetAction(async (parse, ct) =>
        {
            CheckPlotPath(parse.GetValue(plot)); // before connecting: a typo costs nothing
            if (parse.GetValue(from) is { Length: > 0 } files)
            {
                var read = ReadFiles(files);
                return Show(parse.GetValue(all) ? read : StudyEvidence.Counted(read), read, parse.GetValue(json), parse.GetValue(plot), Console.Out);
            }
            return await ClusterCommandLine.WithClusterAsync(parse, gateway, ct,
                grains => RunAsync(grains, parse.GetValue(json), parse.GetValue(plot), Console.Out, ct, parse.GetValue(all)));
        });
        return command;
    }

    sealed record FileJson(IReadOnlyList<EntryJson>? Entries);

    /// <summary>The entries of continuum JSON files, merged (a later file's entry replaces an earlier one of the same study).</summary>
    /// <exception cref="FileNotFoundException">A file that does not exist.</exception>
    /// <exception cref="InvalidDataException">A file that holds no continuum entries.</exception>
    public static IReadOnlyList<ContinuumEntry> ReadFiles(IEnumerable<string> files)
    {
        var merged = new Dictionary<string, ContinuumEntry>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"--from file '{file}' not found", file);
            FileJson? parsed;
            try
            {
                parsed = System.Text.Json.JsonSerializer.Deserialize<FileJson>(File.ReadAllText(file), JsonOutput.Options);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"--from file '{file}' is no continuum JSON: {e.Message}", e);
            }
            if (parsed?.Entries is null) throw new InvalidDataException($"--from file '{file}' has no \"entries\"");
            foreach (var e in parsed.Entries.Select(FromJson)) merged[e.Study] = e;
        }
        return merged.Values.OrderBy(e => e.Probe?.MeanP ?? -1).ThenBy(e => e.Backbone, StringComparer.Ordinal).ToList();
    }

    /// <param name="entries">The points to show.</param>
    /// <param name="all">Every point there is, to say which ones count.</param>
    static int Show(IReadOnlyList<ContinuumEntry> entries, IReadOnlyList<ContinuumEntry> all, bool json, string? plot, TextWriter output)
    {
        var figures = plot is null ? [] : WriteFigures(entries, plot);
        var counted = StudyEvidence.Counted(all);
        if (json) JsonOutput.Write(output, new ContinuumJson(entries.Select(e => ToJson(e, counted.Contains(e))).ToList(), figures));
        else
        {
            Render(entries, output);
            if (DemoCommand.LevelsOf(entries) is { Count: > 0 } levels) DemoCommand.RenderLevels(levels, output);
            foreach (var f in figures) output.WriteLine($"wrote {f}");
        }
        return 0;
    }

    /// <exception cref="ArgumentException">A plot file that is no .png.</exception>
    /// <param name="all">Every study's point, not only the ones that count.</param>
    public static async Task<int> RunAsync(IGrainFactory grains, bool json, string? plot, TextWriter output, CancellationToken ct, bool all = false)
    {
        CheckPlotPath(plot);
        var every = await ClusterRetry.Query(() => grains.GetGrain<IContinuumGrain>(0).ListAll(), ct);
        return Show(all ? every : StudyEvidence.Counted(every), every, json, plot, output);
    }

    public static void CheckPlotPath(string? plot)
    {
        if (plot is not null && !plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--plot '{plot}' must end in .png");
    }

    /// <summary>Both figures; returns their full paths.</summary>
    public static IReadOnlyList<string> WriteFigures(IReadOnlyList<ContinuumEntry> entries, string plot)
    {
        var k = ContinuumPlots.PowerFigurePath(plot);
        ContinuumPlots.WriteCapabilityGain(entries, plot);
        ContinuumPlots.WritePowerK(entries, k);
        return [Path.GetFullPath(plot), k];
    }

    public static void Render(IReadOnlyList<ContinuumEntry> entries, TextWriter output)
    {
        if (entries.Count == 0)
        {
            output.WriteLine("the continuum is empty: each study adds its point when it completes");
            return;
        }
        var table = TableLayout.For(new Table().AddColumns("backbone", "data", "mean p", "region", "answer", "paper key", "lr", "gain over NLL ± SE", "p (Holm)", "trials"), output);
        foreach (var e in entries)
            table.AddRow(Markup.Escape(e.Backbone), Markup.Escape(e.Dataset), e.Probe is { } p ? F(p.MeanP, "F3") : "-",
                Markup.Escape(e.Probe?.Region ?? "-"), Markup.Escape($"{e.Winner} ({(e.Confirmed ? "confirmed" : "unconfirmed")})"),
                Markup.Escape(e.PaperKey), F(e.WinnerLearningRate, "G3"), Gain(e),
                (e.PAdjusted ?? e.PValue) is { } pv ? F(pv, "F3") : "-", e.Trials.ToString(CultureInfo.InvariantCulture));
        ClusterCommandLine.AnsiFor(output).Write(table);
        output.WriteLine("gain: the best challenger's mean minus NLL's, each at its best rate, on held-out test data where the study had some " +
            "(negative: NLL won); confirmed: paired by seed on fresh seeds, * beyond noise (paired t, Holm-adjusted over the challengers, p < 0.05); " +
            "unconfirmed: single search trials. Region: this project's cut-offs of mean p (0.3, 0.6), not the paper's.");
    }

    static string Gain(ContinuumEntry e) => e.Gain is not { } g ? "-"
        : $"{SearchStatusView.Signed(g)} ± {SearchStatusView.Format(e.GainStandardError)}{(e.BeyondNoise ? " *" : "")} on {e.Split}";

    static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    static ContinuumEntry FromJson(EntryJson e) => new()
    {
        Backbone = e.Backbone, Dataset = e.Dataset, Metric = e.Metric, Study = e.Study,
        Probe = e.MeanP is { } p ? new ProbeView(p, e.MedianP ?? double.NaN, e.ShareAboveHalf ?? double.NaN, 0, e.Region ?? "", e.ProbeLength, e.HeldOutMeanP) : null,
        Winner = e.Winner, PaperKey = e.PaperKey, WinnerLearningRate = e.WinnerLr, Challenger = e.Challenger, Gain = e.Gain,
        GainStandardError = e.GainSe, PValue = e.PValue, BeyondNoise = e.BeyondNoise, Confirmed = e.Confirmed, Trials = e.Trials,
        TrainingSteps = e.TrainingSteps,
        Objectives = e.Objectives.Select(o => new ObjectiveValue(o.Objective, o.Lr, o.Role, o.Mean, o.Se, o.N, o.TestMean)).ToList(),
        Value = e.Value, TestValue = e.TestValue, Split = e.Split, Pairs = e.Pairs, PAdjusted = e.PAdjusted, Ci95 = e.Ci95,
    };

    /// <param name="counts">Whether the point is the one that counts for its backbone, data set and metric.</param>
    public static EntryJson ToJson(ContinuumEntry e, bool counts = true) => new(e.Backbone, e.Dataset, e.Metric, e.Study, e.Probe?.MeanP,
        e.Probe?.MedianP, e.Probe?.ShareAboveHalf, e.Probe?.Region, e.Winner, e.PaperKey, e.WinnerLearningRate, e.Challenger, e.Gain,
        e.GainStandardError, e.PValue, e.BeyondNoise, e.Confirmed, e.Trials, e.TrainingSteps,
        e.Objectives.Select(o => new ObjectiveJson(o.Objective, o.LearningRate, o.Role, o.Mean, o.StandardError, o.N, o.TestMean)).ToList(),
        e.Value, e.TestValue, e.Split, e.Pairs, e.PAdjusted, e.Ci95, e.Probe?.HeldOutMeanP, e.Probe?.MaxLength ?? 0, counts);
}
