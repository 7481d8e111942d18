using System.Text.Json;
using BeyondNll.Studies.Factorial;

namespace BeyondNll.Client.Commands;

/// <summary>
/// A factorial's results on disk (<c>factorial.json</c>): read, merged across files of one design, analysed
/// and written atomically, with its figures named relative to its folder.
/// </summary>
public static class FactorialFiles
{
    public const string ResultsFile = "factorial.json";

    /// <summary>What <c>factorial.json</c> holds: the raw results and the analysis of them; <c>figures</c> relative to the file's folder,
    /// so that results moved with their figures (into docs/, say) still name them.</summary>
    public sealed record FactorialJson(FactorialSettings Settings, IReadOnlyList<FactorialCell> Cells, IReadOnlyList<FactorialSearch> Searches,
        FactorialReport Report, IReadOnlyList<string> Figures, double Seconds);

    /// <summary>Whether two factorials measure alike, so their cells may be read together: all but the tasks and seeds agree.</summary>
    public static bool SameDesign(FactorialSettings a, FactorialSettings b) =>
        a.Conditions.SequenceEqual(b.Conditions) && a.Levels.SequenceEqual(b.Levels)
        && a.Objectives.SequenceEqual(b.Objectives) && a.LearningRates.SequenceEqual(b.LearningRates) && a.Steps == b.Steps
        && a.Examples == b.Examples && a.ValExamples == b.ValExamples && a.TestExamples == b.TestExamples && a.TaskShare == b.TaskShare;

    /// <summary>Results of several files of one design (say, seeds run as separate processes) as one.</summary>
    public static FactorialResults Merge(IReadOnlyList<FactorialJson> parts)
    {
        var first = parts[0].Settings;
        if (parts.Any(p => !SameDesign(p.Settings, first)))
            throw new ArgumentException("--from: the files are factorials of different designs (conditions, levels, objectives, rates or sizes differ)");
        var cells = parts.SelectMany(p => p.Cells).DistinctBy(c => (c.Task, c.Condition, c.Level, c.Seed)).ToList();
        var searches = parts.SelectMany(p => p.Searches).DistinctBy(s => (s.Args, s.Task, s.Condition, s.Level, s.Seed)).ToList();
        return new FactorialResults(first with
        {
            Tasks = parts.SelectMany(p => p.Settings.Tasks).Distinct().ToList(), Seeds = cells.Select(c => c.Seed).Distinct().Order().ToList(),
        }, cells, searches);
    }

    /// <summary>The results in a factorial.json; an <see cref="ArgumentException"/> when there is none or it is not one.</summary>
    public static async Task<FactorialResults> ReadResultsAsync(string path, CancellationToken ct) =>
        Merge([await ReadAsync(path, ct) ?? throw new ArgumentException($"{path}: no such file")]);

    public static async Task<FactorialJson?> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<FactorialJson>(await File.ReadAllTextAsync(path, ct), JsonOutput.Options)
                   ?? throw new ArgumentException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path} is not a factorial's results: {e.Message}");
        }
    }

    /// <summary>Analyses and writes factorial.json atomically (a temporary file renamed over it), with the figures when <paramref name="write"/>.</summary>
    public static async Task<FactorialJson> WriteResultsAsync(string path, FactorialSettings settings, IReadOnlyList<FactorialCell> cells,
        IReadOnlyList<FactorialSearch> searches, string figureFolder, double seconds, bool write, CancellationToken ct)
    {
        var results = new FactorialResults(settings, cells, searches);
        var report = FactorialAnalysis.Analyse(results);
        var figures = write && cells.Count > 0 ? WriteFigures(report, figureFolder) : [];
        var json = new FactorialJson(settings, cells, searches, report, Relative(path, figures), Math.Round(seconds, 1));
        await WriteAsync(path, json, ct);
        return json;
    }

    public static async Task WriteAsync(string path, FactorialJson json, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(json, JsonOutput.Options), ct);
        File.Move(temporary, full, overwrite: true);
    }

    public static IReadOnlyList<string> Relative(string resultsPath, IReadOnlyList<string> figures) =>
        figures.Select(f => Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(resultsPath))!, f)).ToList();

    public static IReadOnlyList<string> WriteFigures(FactorialReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        return Figures.FactorialPlots.Write(report, folder);
    }
}
