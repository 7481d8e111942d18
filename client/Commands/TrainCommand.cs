using System.CommandLine;
using System.Diagnostics;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>`bnll train`: one local fine-tuning run of a backbone with one objective, then validation.</summary>
public static class TrainCommand
{
    public sealed record Validation(double Accuracy, double MeanNll, double MeanP);
    public sealed record Report(string Objective, string PaperKey, int Steps, double FinalTrainLoss, Validation Val,
        double Seconds, double TokensPerSecond, string? Out);

    public static Command Create()
    {
        var backbone = new Option<string>("--backbone") { Description = "Backbone folder.", Required = true };
        var train = new Option<string>("--train") { Description = "Training data (JSONL or Parquet).", Required = true };
        var val = new Option<string>("--val") { Description = "Validation data (JSONL or Parquet).", Required = true };
        var objective = new Option<string>("--objective") { Description = "Objective spec: nll, power:10, top-p:0.5, ...", Required = true };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => 100 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-4 };
        var seed = new Option<int>("--seed") { Description = "Seed of the example order.", DefaultValueFactory = _ => 0 };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per step.", DefaultValueFactory = _ => 16 };
        var microBatch = new Option<int>("--micro-batch-size") { Description = "Examples per forward/backward (0 = whole batch).", DefaultValueFactory = _ => 0 };
        var maxLength = new Option<int>("--max-length") { Description = "Tokens per example at most.", DefaultValueFactory = _ => 128 };
        var answer = new Option<string>("--answer") { Description = "Where the answer is: whole, boxed, or marker:TEXT.", DefaultValueFactory = _ => "whole" };
        var output = new Option<string?>("--out") { Description = "Save the fine-tuned backbone to this folder (a Hugging Face folder is saved as one)." };
        var tuning = new TuningCommandLine();
        var promptKey = TrainingConsole.PromptKey();
        var responseKey = TrainingConsole.ResponseKey();
        var threads = TrainingConsole.Threads();
        var json = new Option<bool>("--json") { Description = "Print JSON (the progress bar goes to stderr)." };
        var command = new Command("train", "Fine-tune a backbone with one objective and report validation metrics.")
            { backbone, train, val, objective, steps, lr, seed, batchSize, microBatch, maxLength, answer, output, promptKey, responseKey, threads, json };
        tuning.AddTo(command);

        command.SetAction(async (parse, cancellation) =>
        {
            // Everything the user gave is checked before any training starts.
            var settings = tuning.Read(parse);
            var options = settings.ApplyTo(new TrainingOptions
            {
                Objective = Objective.Parse(parse.GetValue(objective)!),
                Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                BatchSize = parse.GetValue(batchSize),
                MicroBatchSize = parse.GetValue(microBatch),
                MaxLength = parse.GetValue(maxLength),
            });
            options.Validate();
            var format = AnswerFormat.Parse(parse.GetValue(answer)!);
            TrainingConsole.SetThreads(parse.GetValue(threads));
            var (pk, rk) = (parse.GetValue(promptKey)!, parse.GetValue(responseKey)!);
            var trainExamples = TrainingConsole.ReadData(parse.GetValue(train)!, pk, rk);
            var valExamples = TrainingConsole.ReadData(parse.GetValue(val)!, pk, rk);
            using var model = Backbone.Load(parse.GetValue(backbone)!);
            settings.Prepare(model.Model, options.Seed);
            var tokenized = trainExamples.Select(e => TokenizedExample.From(e, model.Tokenizer)).ToList();

            var watch = Stopwatch.StartNew();
            TrainingResult result;
            try
            {
                result = await TrainingConsole.WithProgress($"{options.Objective.Spec}", options.Steps, parse.GetValue(json),
                    progress => new SftTrainer(model.Model, options, model.Tokenizer.PadId).Train(tokenized, progress, cancellation));
            }
            catch (TrainingDivergedException e)
            {
                Console.Error.WriteLine($"error: training diverged: {e.Message}");
                return CommandLineExit.Failed;
            }
            var metrics = new Evaluator(model.Model, model.Tokenizer, new EvaluationOptions { Format = format, MaxLength = options.MaxLength })
                .Evaluate(valExamples);
            var outDir = parse.GetValue(output);
            if (outDir is not null) model.SaveAs(outDir);

            var report = new Report(options.Objective.Spec, options.Objective.PaperKey, result.Steps, result.FinalTrainLoss,
                new Validation(metrics.Accuracy, metrics.MeanNll, metrics.MeanP), watch.Elapsed.TotalSeconds, result.TokensPerSecond, outDir);
            if (parse.GetValue(json)) JsonOutput.Write(report);
            else
            {
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Objective)}[/] ({Markup.Escape(report.PaperKey)}): {report.Steps} steps in {report.Seconds:F1} s, final train loss {report.FinalTrainLoss:F4}");
                AnsiConsole.MarkupLine($"validation: accuracy [bold]{metrics.Accuracy:P1}[/], mean NLL {metrics.MeanNll:F4}, mean p {metrics.MeanP:F4} ({metrics.Examples} examples)");
                if (outDir is not null) AnsiConsole.MarkupLine($"saved to {Markup.Escape(outDir)}");
            }
            return 0;
        });
        return command;
    }
}
