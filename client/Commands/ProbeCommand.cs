using System.CommandLine;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Probe;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>`bnll probe`: where a backbone sits on the capability continuum for a data set.</summary>
public static class ProbeCommand
{
    /// <summary>The probe on --data; <c>held_out_mean_p</c> on --held-out's clean responses (null without); <c>max_length</c> the tokens per example.</summary>
    public sealed record Report(double MeanP, double MedianP, double Q1P, double Q3P, double ShareAboveHalf, long Tokens, string Region,
        int MaxLength, double? HeldOutMeanP);

    public static Command Create()
    {
        var backbone = new Option<string>("--backbone") { Description = "Backbone folder.", Required = true };
        var data = new Option<string>("--data") { Description = "Data set (JSONL or Parquet).", Required = true };
        var maxLength = TrainingConsole.ProbeLength();
        var heldOut = TrainingConsole.HeldOut();
        var promptKey = TrainingConsole.PromptKey();
        var responseKey = TrainingConsole.ResponseKey();
        var threads = TrainingConsole.Threads();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("probe", "Measure p of the data's response tokens under the backbone, before training, and place it on the continuum.")
            { backbone, data, maxLength, heldOut, promptKey, responseKey, threads, json };
        command.SetAction(async parse =>
        {
            TrainingConsole.SetThreads(parse.GetValue(threads));
            var examples = TrainingConsole.ReadData(parse.GetValue(data)!, parse.GetValue(promptKey)!, parse.GetValue(responseKey)!);
            var heldOutExamples = parse.GetValue(heldOut) is { } heldOutPath
                ? TrainingConsole.ReadData(heldOutPath, parse.GetValue(promptKey)!, parse.GetValue(responseKey)!)
                : null;
            var (r, clean) = await ConsoleProgress.WhileAsync(parse.GetValue(json) ? TextWriter.Null : Console.Error,
                $"probe: loading the backbone and scoring {examples.Count} examples' response tokens", _ => Task.Run(() =>
                {
                    using var model = Backbone.Load(parse.GetValue(backbone)!);
                    var measured = CapabilityProbe.Measure(model.Model, model.Tokenizer, examples, parse.GetValue(maxLength));
                    var cleanMeasured = heldOutExamples is null ? null
                        : CapabilityProbe.Measure(model.Model, model.Tokenizer, heldOutExamples, parse.GetValue(maxLength));
                    return (measured, cleanMeasured);
                }));
            var report = new Report(r.MeanP, r.MedianP, r.Q1P, r.Q3P, r.ShareAboveHalf, r.Tokens, r.RegionName, parse.GetValue(maxLength), clean?.MeanP);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(report);
                return 0;
            }
            var grid = new Grid().AddColumns(2);
            grid.AddRow("mean p", $"{r.MeanP:F4}");
            grid.AddRow("median p (Q1, Q3)", $"{r.MedianP:F4} ({r.Q1P:F4}, {r.Q3P:F4})");
            grid.AddRow("share p > 0.5", $"{r.ShareAboveHalf:P1}");
            grid.AddRow("tokens", $"{r.Tokens}");
            if (clean is not null) grid.AddRow("mean p on clean held-out responses", $"{clean.MeanP:F4}");
            grid.AddRow("region (this project's cut-offs 0.3, 0.6)", $"[bold]{r.RegionName}[/]");
            AnsiConsole.Write(grid);
            return 0;
        });
        return command;
    }
}
