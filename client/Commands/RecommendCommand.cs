using System.CommandLine;
using System.Globalization;
using BeyondNll.Client.Cluster;
using BeyondNll.Client.Continuum;
using BeyondNll.Grains;
using BeyondNll.Studies;
using BeyondNll.Training.Evaluation;
using BeyondNll.Search.Continuum;
using BeyondNll.Training.Objectives;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll recommend --backbone B --data FILE</c>: probes the backbone on the data (in the cluster,
/// before any training, at the length studies train at), places it on the stored continuum and
/// recommends an objective and learning rate with the expected gain over NLL and how sure that is:
/// the backbone's own measured point on this data set first, else a fit of the others' points; with
/// too few points, this project's rule of thumb (basis "paper-rule", its name in JSON).
/// </summary>
public static class RecommendCommand
{
    public sealed record NeighbourJson(string Backbone, string Dataset, double MeanP, string Winner, double Gain, double? GainSe, bool BeyondNoise);

    /// <param name="ExpectedGain">The challenger's expected gain over NLL; negative when NLL is expected to win by that much.</param>
    /// <param name="Lr">The learning rate the recommended objective won at, where it was measured; null under the rule of thumb.</param>
    /// <param name="ProbeLength">Tokens per example the probe was measured at.</param>
    public sealed record RecommendJson(string Backbone, string Dataset, double MeanP, double MedianP, double ShareAboveHalf, string Region,
        string Objective, string PaperKey, double? ExpectedGain, double? ExpectedGainSe, string Confidence, string Basis, string Reason,
        bool PooledDatasets, IReadOnlyList<NeighbourJson> Neighbours, double? Lr, int ProbeLength, double? HeldOutMeanP);

    public static Command Create()
    {
        var backbone = new Option<string>("--backbone") { Description = "A registered backbone, or a backbone folder.", Required = true };
        var data = new Option<string>("--data") { Description = "The training data to place it on (JSONL or Parquet).", Required = true };
        var metric = new Option<string>("--metric") { Description = "The metric whose continuum to read: accuracy or nll.", DefaultValueFactory = _ => "accuracy" };
        var maxLength = TrainingConsole.ProbeLength();
        var heldOut = TrainingConsole.HeldOut();
        var json = ClusterCommandLine.Json();
        var gateway = ClusterCommandLine.Gateway();
        var command = new Command("recommend", "Probe a backbone on data, place it on the continuum and recommend an objective.")
            { backbone, data, metric, maxLength, heldOut, json, gateway };
        command.SetAction((parse, ct) =>
        {
            CheckInput(parse.GetValue(data)!, parse.GetValue(metric)!, parse.GetValue(maxLength)); // before connecting
            return ClusterCommandLine.WithClusterAsync(parse, gateway, ct,
                grains => RunAsync(grains, parse.GetValue(backbone)!, parse.GetValue(data)!, parse.GetValue(metric)!,
                    parse.GetValue(maxLength), parse.GetValue(json), Console.Out, ct, parse.GetValue(heldOut)));
        });
        return command;
    }

    /// <returns>The data file's full path.</returns>
    static string CheckInput(string data, string metric, int maxLength)
    {
        StudyMetric.Parse(metric);
        if (maxLength < 2) throw new ArgumentException($"--max-length must be at least 2, got {maxLength}");
        var dataPath = Path.GetFullPath(data);
        if (!File.Exists(dataPath)) throw new FileNotFoundException($"--data file '{data}' not found", dataPath);
        return dataPath;
    }

    /// <exception cref="ArgumentException">An unknown backbone (neither registered nor a folder), a bad metric.</exception>
    /// <exception cref="FileNotFoundException">The data file does not exist.</exception>
    /// <param name="heldOut">Clean held-out data to probe too (p on responses without the training data's noise), or null.</param>
    public static async Task<int> RunAsync(IGrainFactory grains, string backbone, string data, string metric, int maxLength, bool json,
        TextWriter output, CancellationToken ct, string? heldOut = null)
    {
        var dataPath = CheckInput(data, metric, maxLength);
        var heldOutPath = heldOut is null ? null : Path.GetFullPath(heldOut);
        if (heldOutPath is not null && !File.Exists(heldOutPath)) throw new FileNotFoundException($"--held-out file '{heldOut}' not found", heldOutPath);
        var registered = await ClusterRetry.Query(() => grains.GetGrain<IBackboneGrain>(backbone).Get(), ct);
        var folder = registered?.Path ?? (Directory.Exists(backbone) ? Path.GetFullPath(backbone)
            : throw new ArgumentException($"no backbone named '{backbone}' and no such folder; see `bnll backbone list`"));
        var dataset = StudyRequestValidator.DatasetName(dataPath);

        // Measured in the cluster, on a device slot: a registered backbone's by its grain (stored, else
        // measured and stored), a bare folder's by the probe service (stored nowhere).
        var request = new ProbeRequest(dataPath, dataset, "prompt", "response", maxLength, heldOutPath);
        var probe = await ConsoleProgress.WhileAsync(json ? TextWriter.Null : Console.Error,
            $"recommend: probing {backbone} on {dataset} (stored, else measured on a free device slot of the cluster)",
            _ => registered is not null
                ? grains.GetGrain<IBackboneGrain>(backbone).Probe(request)
                : grains.GetGrain<IProbeGrain>(0).Measure(folder, request));

        var entries = await ClusterRetry.Query(() => grains.GetGrain<IContinuumGrain>(0).List(), ct);
        var points = ContinuumPoints.For(entries, dataset, metric, out var pooled);
        // This backbone's own study of this data set, when there is one, answers before any fit.
        var r = ContinuumFit.Recommend(points, probe.MeanP, registered?.Name, dataset);
        var report = new RecommendJson(registered?.Name ?? folder, dataset, probe.MeanP, probe.MedianP, probe.ShareAboveHalf, probe.Region,
            r.Objective, Objective.Parse(r.Objective).PaperKey, r.ExpectedGain, r.ExpectedGainStandardError, r.Confidence, r.Basis, r.Reason,
            pooled, r.Neighbours.Select(n => new NeighbourJson(n.Backbone, n.Dataset, n.MeanP, n.Winner, n.Gain, n.GainStandardError, n.BeyondNoise)).ToList(),
            r.LearningRate, maxLength, probe.HeldOutMeanP);
        if (json)
        {
            JsonOutput.Write(output, report);
            return 0;
        }
        var grid = new Grid().AddColumns(2);
        grid.AddRow("backbone", Markup.Escape(report.Backbone));
        grid.AddRow("data", Markup.Escape(dataset));
        grid.AddRow("mean p (median, share > 0.5)", $"{probe.MeanP:F3} ({probe.MedianP:F3}, {probe.ShareAboveHalf:P0})");
        grid.AddRow("region (this project's cut-offs)", Markup.Escape(probe.Region));
        if (probe.HeldOutMeanP is { } clean) grid.AddRow("mean p on clean held-out responses", clean.ToString("F3", CultureInfo.InvariantCulture));
        grid.AddRow("recommended", $"[bold]{Markup.Escape(r.Objective)}[/] ({Markup.Escape(report.PaperKey)})" +
            (r.LearningRate is { } lr ? $" at lr {lr.ToString("G3", CultureInfo.InvariantCulture)}" : ""));
        grid.AddRow("expected gain over NLL", r.ExpectedGain is { } g ? $"{SearchStatusView.Signed(g)} ± {SearchStatusView.Format(r.ExpectedGainStandardError)} {metric}" : "unknown");
        grid.AddRow("confidence", $"{Markup.Escape(r.Confidence)} ({Markup.Escape(r.Basis)})");
        grid.AddRow("why", Markup.Escape(r.Reason + (pooled ? "; points of all data sets pooled (too few on this one)" : "")));
        ClusterCommandLine.AnsiFor(output).Write(grid);
        return 0;
    }
}
