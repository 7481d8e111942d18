using System.CommandLine;
using BeyondNll.Training.Model;
using BeyondNll.Training.Synthetic;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>`bnll synth backbone`: a synthetic backbone of chosen prior strength on a task.</summary>
public static class SynthBackboneCommand
{
    public sealed record Report(string Task, int PretrainSteps, int Seed, double TaskShare, string Size, long Params,
        double FinalPretrainLoss, double Seconds, string Out);

    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Synthetic task: " + string.Join(", ", SyntheticTasks.Names), Required = true };
        var steps = new Option<int>("--pretrain-steps") { Description = "NLL pretraining steps; 0 = random initialisation (the weakest backbone).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the initialisation and the pretraining data.", DefaultValueFactory = _ => 0 };
        var share = new Option<double>("--task-share") { Description = "Share of the pretraining mix from the task; the rest from the other tasks.", DefaultValueFactory = _ => 1.0 };
        var size = new Option<string>("--size") { Description = "Decoder size: tiny (1.1M parameters) or small (4.8M).", DefaultValueFactory = _ => "tiny" };
        var maxPositions = new Option<int>("--max-positions") { Description = "Longest sequence the backbone handles.", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Pretraining learning rate.", DefaultValueFactory = _ => 1e-3 };
        var output = new Option<string>("--out") { Description = "Folder to write the backbone into.", Required = true };
        var threads = TrainingConsole.Threads();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("backbone", "Make a synthetic backbone: a decoder pretrained on a task for a number of steps.")
            { task, steps, seed, share, size, maxPositions, lr, output, threads, json };
        command.SetAction(async (parse, cancellation) =>
        {
            var config = parse.GetValue(size) switch
            {
                "tiny" => DecoderConfig.Tiny(parse.GetValue(maxPositions)),
                "small" => DecoderConfig.Small(parse.GetValue(maxPositions)),
                var other => throw new ArgumentException($"--size: unknown size '{other}'; use tiny or small"),
            };
            var options = new SyntheticBackboneOptions
            {
                Task = parse.GetValue(task)!,
                PretrainSteps = parse.GetValue(steps),
                Seed = parse.GetValue(seed),
                TaskShare = parse.GetValue(share),
                Config = config,
                LearningRate = parse.GetValue(lr),
            };
            options.Validate();
            TrainingConsole.SetThreads(parse.GetValue(threads));
            var outDir = parse.GetValue(output)!;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var lastLoss = double.NaN;
            await TrainingConsole.WithProgress($"pretrain {options.Task}", Math.Max(1, options.PretrainSteps), parse.GetValue(json), progress =>
            {
                var tracking = new SynchronousProgress(p => { lastLoss = p.Loss; progress.Report(p); });
                SyntheticBackbone.Create(outDir, options, tracking, cancellation);
                return 0;
            });
            var report = new Report(options.Task, options.PretrainSteps, options.Seed, options.TaskShare, parse.GetValue(size)!,
                config.ParameterCount(), lastLoss, watch.Elapsed.TotalSeconds, outDir);
            if (parse.GetValue(json)) JsonOutput.Write(report);
            else AnsiConsole.MarkupLine($"backbone [bold]{Markup.Escape(outDir)}[/]: {report.Task}, {report.PretrainSteps} pretraining steps, {report.Params} parameters, final loss {report.FinalPretrainLoss:F4}, {report.Seconds:F1} s");
            return 0;
        });
        return command;
    }
}
