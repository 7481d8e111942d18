using System.CommandLine;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Trainer;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// `bnll quickstart`: the training layer end to end on one machine, with nothing given: a synthetic
/// task with noisy supervision, a backbone pretrained on it, and one fine-tuning run per objective
/// on that backbone, compared on the validation set.
/// </summary>
public static class QuickstartCommand
{
    public sealed record Run(string Objective, string PaperKey, double FinalTrainLoss, double Accuracy, double MeanNll, double MeanP, double Seconds);
    public sealed record Report(string Task, string Backbone, double BackboneMeanP, string Region, IReadOnlyList<Run> Runs);

    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Synthetic task.", DefaultValueFactory = _ => "addition" };
        var pretrain = new Option<int>("--pretrain-steps") { Description = "Backbone pretraining steps (prior strength).", DefaultValueFactory = _ => 300 };
        var steps = new Option<int>("--steps") { Description = "Fine-tuning steps per objective.", DefaultValueFactory = _ => 100 };
        var objectives = new Option<string>("--objectives") { Description = "Comma-separated objective specs.", DefaultValueFactory = _ => "nll,power:1,power:10" };
        var noise = new Option<double>("--noise") { Description = "Share of corrupted response characters in the training data.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed of data, backbone and training.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Working folder for the data and the backbone.", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") };
        var threads = TrainingConsole.Threads();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("quickstart", "Make a synthetic task and backbone, fine-tune it with several objectives, compare them.")
            { task, pretrain, steps, objectives, noise, seed, output, threads, json };
        command.SetAction(async (parse, cancellation) =>
        {
            var specs = parse.GetValue(objectives)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(Objective.Parse).ToList();
            if (specs.Count == 0) throw new ArgumentException("--objectives: give at least one objective");
            var taskName = parse.GetValue(task)!;
            var quiet = parse.GetValue(json);
            var root = parse.GetValue(output)!;
            var seedValue = parse.GetValue(seed);
            TrainingConsole.SetThreads(parse.GetValue(threads));

            var (train, val) = SyntheticData.Generate(SyntheticTasks.Get(taskName), 2000, parse.GetValue(noise), seedValue, valCount: 200);
            Directory.CreateDirectory(root);
            SftDataWriter.WriteJsonl(Path.Combine(root, "train.jsonl"), train);
            SftDataWriter.WriteJsonl(Path.Combine(root, "val.jsonl"), val);

            var backboneDir = Path.Combine(root, "backbone");
            var backboneOptions = new SyntheticBackboneOptions { Task = taskName, PretrainSteps = parse.GetValue(pretrain), Seed = seedValue };
            await TrainingConsole.WithProgress($"pretrain backbone on {taskName}", Math.Max(1, backboneOptions.PretrainSteps), quiet, progress =>
            {
                SyntheticBackbone.Create(backboneDir, backboneOptions, progress, cancellation);
                return 0;
            });

            ProbeReport? probe = null;
            var runs = new List<Run>();
            foreach (var objective in specs)
            {
                using var backbone = Backbone.Load(backboneDir);
                if (probe is null)
                {
                    var p = BeyondNll.Training.Probe.CapabilityProbe.Measure(backbone.Model, backbone.Tokenizer, train, backboneOptions.Config.MaxPositions);
                    probe = new ProbeReport(p.MeanP, p.RegionName);
                }
                var options = new TrainingOptions { Objective = objective, Steps = parse.GetValue(steps), LearningRate = 1e-3, MaxLength = backboneOptions.Config.MaxPositions, Seed = seedValue };
                var tokenized = train.Select(e => TokenizedExample.From(e, backbone.Tokenizer)).ToList();
                var result = await TrainingConsole.WithProgress(objective.Spec, options.Steps, quiet,
                    progress => new SftTrainer(backbone.Model, options, backbone.Tokenizer.PadId).Train(tokenized, progress, cancellation));
                var metrics = new Evaluator(backbone.Model, backbone.Tokenizer, new EvaluationOptions { MaxLength = options.MaxLength }).Evaluate(val);
                runs.Add(new Run(objective.Spec, objective.PaperKey, result.FinalTrainLoss, metrics.Accuracy, metrics.MeanNll, metrics.MeanP, result.Seconds));
            }

            var report = new Report(taskName, backboneDir, probe!.MeanP, probe.Region, runs);
            if (quiet)
            {
                JsonOutput.Write(report);
                return 0;
            }
            AnsiConsole.MarkupLine($"backbone {Markup.Escape(backboneDir)}: mean p {report.BackboneMeanP:F3} on the training data ([bold]{report.Region}[/])");
            var table = new Table().AddColumns("objective", "paper key", "final train loss", "val accuracy", "val mean NLL", "val mean p", "seconds");
            foreach (var r in runs)
                table.AddRow(r.Objective, r.PaperKey, $"{r.FinalTrainLoss:F4}", $"{r.Accuracy:P1}", $"{r.MeanNll:F4}", $"{r.MeanP:F4}", $"{r.Seconds:F1}");
            AnsiConsole.Write(table);
            var best = runs.MaxBy(r => r.Accuracy)!;
            var nll = runs.FirstOrDefault(r => r.Objective == "nll");
            if (nll is not null)
                AnsiConsole.MarkupLine($"best: [bold]{Markup.Escape(best.Objective)}[/] at {best.Accuracy:P1} against NLL's {nll.Accuracy:P1}");
            return 0;
        });
        return command;
    }

    sealed record ProbeReport(double MeanP, string Region);
}
