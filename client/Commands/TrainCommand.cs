using System.CommandLine;
using System.Diagnostics;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>`bnll train`: one local fine-tuning run of a backbone with one objective (<see cref="TrainingRun"/>, as a search's trials run), then validation.</summary>
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
        var seed = new Option<int>("--seed") { Description = "Seed of the example order (and of LoRA's adapters).", DefaultValueFactory = _ => 0 };
        var microBatch = new Option<int>("--micro-batch-size") { Description = "Examples per forward/backward (0 = whole batch).", DefaultValueFactory = _ => 0 };
        var answer = new Option<string>("--answer") { Description = "Where the answer is: whole, boxed, or marker:TEXT.", DefaultValueFactory = _ => "whole" };
        var output = new Option<string?>("--out") { Description = "Save the fine-tuned backbone to this folder (a Hugging Face folder is saved as one)." };
        var recipeFlags = new RecipeCommandLine(TrainingRecipe.Default, "Peak learning rate.");
        var promptKey = TrainingConsole.PromptKey();
        var responseKey = TrainingConsole.ResponseKey();
        var threads = TrainingConsole.Threads();
        var json = new Option<bool>("--json") { Description = "Print JSON (the progress bar goes to stderr)." };
        var command = new Command("train", "Fine-tune a backbone with one objective and report validation metrics.")
            { backbone, train, val, objective, seed, microBatch, answer, output, promptKey, responseKey, threads, json };
        recipeFlags.AddTo(command);

        command.SetAction(async (parse, cancellation) =>
        {
            // Everything the user gave is checked before any training starts.
            var recipe = recipeFlags.Read(parse) with
            {
                Objective = Objective.Parse(parse.GetValue(objective)!).Spec,
                Seed = parse.GetValue(seed),
                MicroBatchSize = parse.GetValue(microBatch),
            };
            recipe.Validate();
            var inputs = new RunInputs(parse.GetValue(backbone)!, parse.GetValue(train)!, parse.GetValue(val)!,
                new SftFieldMap(parse.GetValue(promptKey)!, parse.GetValue(responseKey)!), AnswerFormat.Parse(parse.GetValue(answer)!));
            TrainingConsole.SetThreads(parse.GetValue(threads));
            var outDir = parse.GetValue(output);

            var watch = Stopwatch.StartNew();
            RunResult result;
            try
            {
                result = await TrainingConsole.WithProgress(recipe.Objective, recipe.Steps, parse.GetValue(json),
                    progress => TrainingRun.Run(recipe, inputs, new RunHooks { OnStep = progress.Report, SaveTo = outDir }, cancellation));
            }
            catch (TrainingDivergedException e)
            {
                Console.Error.WriteLine($"error: training diverged: {e.Message}");
                return CommandLineExit.Failed;
            }

            var metrics = result.Validation;
            var report = new Report(recipe.Objective, recipe.ParsedObjective().PaperKey, result.Training.Steps, result.Training.FinalTrainLoss,
                new Validation(metrics.Accuracy, metrics.MeanNll, metrics.MeanP), watch.Elapsed.TotalSeconds, result.Training.TokensPerSecond, outDir);
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
