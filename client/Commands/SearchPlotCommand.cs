using System.CommandLine;
using BeyondNll.Client.Cluster;
using BeyondNll.Figures;
using BeyondNll.Grains;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll search plot NAME --out DIR</c>: a study's figures as PNG files — history.png,
/// curves.png, parallel.png, importance.png (<see cref="StudyFigures"/>), the same figures the
/// silo's page at /studies/NAME shows. The data behind them is in `search status --json`.
/// </summary>
public static class SearchPlotCommand
{
    public sealed record PlotJson(string Study, string State, IReadOnlyList<string> Figures);

    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The study's name." };
        var output = new Option<string>("--out") { Description = "Folder for the figures (made when missing): history.png, curves.png, parallel.png, importance.png.", Required = true };
        var json = ClusterCommandLine.Json();
        var gateway = ClusterCommandLine.Gateway();
        var command = new Command("plot", "Write a study's figures: optimisation history, learning curves, parallel coordinates, parameter importance.")
            { name, output, json, gateway };
        command.SetAction((parse, ct) =>
        {
            var folder = CheckFolder(parse.GetValue(output)!); // before connecting: a bad folder costs nothing
            return ClusterCommandLine.WithClusterAsync(parse, gateway, ct,
                grains => RunAsync(grains, parse.GetValue(name)!, folder, parse.GetValue(json), Console.Out, ct));
        });
        return command;
    }

    public static async Task<int> RunAsync(IGrainFactory grains, string study, string folder, bool json, TextWriter output, CancellationToken ct)
    {
        var status = await SearchCommand.GetStatusAsync(grains, study, ct);
        var figures = StudyFigures.WriteAll(status, CheckFolder(folder));
        if (json) JsonOutput.Write(output, new PlotJson(status.Study, SearchStatusView.Name(status.State), figures));
        else foreach (var f in figures) output.WriteLine($"wrote {f}");
        return 0;
    }

    /// <summary>The folder's full path; a folder that cannot be one (an existing file) is refused.</summary>
    /// <exception cref="ArgumentException">--out names a file.</exception>
    static string CheckFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new ArgumentException($"--out '{folder}' is a file; give a folder for the figures");
        return full;
    }
}
