using System.CommandLine;
using System.Diagnostics;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Model;
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
        var dtype = new Option<string>("--dtype") { Description = "Weights in float32 or bfloat16 (for GPU hosts; probabilities stay float32).", DefaultValueFactory = _ => "float32" };
        var loraRank = new Option<int>("--lora-rank") { Description = "Train LoRA adapters of this rank instead of all weights (0 = no LoRA); --out saves them merged.", DefaultValueFactory = _ => 0 };
        var loraAlpha = new Option<double>("--lora-alpha") { Description = "LoRA scale numerator: adapters add (alpha / rank) · B A x.", DefaultValueFactory = _ => 16 };
        var loraTargets = new Option<string>("--lora-targets") { Description = "Comma-separated projections to adapt (q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj) or all-linear.", DefaultValueFactory = _ => LoraOptions.AllLinear };
        var checkpointing = new Option<bool>("--gradient-checkpointing") { Description = "Recompute layer activations in the backward pass: less memory, about a third more time." };
        var promptKey = TrainingConsole.PromptKey();
        var responseKey = TrainingConsole.ResponseKey();
        var threads = TrainingConsole.Threads();
        var json = new Option<bool>("--json") { Description = "Print JSON (the progress bar goes to stderr)." };
        var command = new Command("train", "Fine-tune a backbone with one objective and report validation metrics.")
            { backbone, train, val, objective, steps, lr, seed, batchSize, microBatch, maxLength, answer, output, checkpointing, dtype, loraRank, loraAlpha, loraTargets, promptKey, responseKey, threads, json };

        command.SetAction(async (parse, cancellation) =>
        {
            // Everything the user gave is checked before any training starts.
            var options = new TrainingOptions
            {
                Objective = Objective.Parse(parse.GetValue(objective)!),
                Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed),
                BatchSize = parse.GetValue(batchSize),
                MicroBatchSize = parse.GetValue(microBatch),
                MaxLength = parse.GetValue(maxLength),
                GradientCheckpointing = parse.GetValue(checkpointing),
            };
            options.Validate();
            var format = AnswerFormat.Parse(parse.GetValue(answer)!);
            var weightType = WeightPrecision.Parse(parse.GetValue(dtype)!);
            var lora = parse.GetValue(loraRank) is var rank and not 0
                ? new LoraOptions(rank, parse.GetValue(loraAlpha), LoraOptions.ParseTargets(parse.GetValue(loraTargets)!))
                : null;
            lora?.Validate();
            TrainingConsole.SetThreads(parse.GetValue(threads));
            var (pk, rk) = (parse.GetValue(promptKey)!, parse.GetValue(responseKey)!);
            var trainExamples = TrainingConsole.ReadData(parse.GetValue(train)!, pk, rk);
            var valExamples = TrainingConsole.ReadData(parse.GetValue(val)!, pk, rk);
            using var model = Backbone.Load(parse.GetValue(backbone)!);
            WeightPrecision.Apply(model.Model, weightType);
            if (lora is not null) model.Model.EnableLora(lora, new TorchSharp.torch.Generator((ulong)options.Seed));
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
