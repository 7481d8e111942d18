using System.CommandLine;
using BeyondNll.Training.Benchmarks;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// `bnll bench train|probe|decode`: the training layer's speed on the configurations of the PyTorch
/// anchor (shared/bench/torch_sft_bench.py), measured the same way so the two can be compared as ratios.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure speed; compare with the anchors in shared/bench.");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateProbe());
        command.Subcommands.Add(CreateDecode());
        command.Subcommands.Add(BenchClusterCommand.Create());
        return command;
    }

    static Option<string> ConfigOption() => new("--config")
    {
        Description = "Model and batch configuration of the anchor: tiny or small.",
        DefaultValueFactory = _ => "tiny",
    };

    static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "libtorch threads, as the anchor's --threads.",
        DefaultValueFactory = _ => 2,
    };

    static Command CreateTrain()
    {
        var config = ConfigOption();
        var objective = new Option<string>("--objective") { Description = "Objective spec.", DefaultValueFactory = _ => "nll" };
        var steps = new Option<int>("--steps") { Description = "Measured steps.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured steps first.", DefaultValueFactory = _ => 5 };
        var threads = ThreadsOption();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("train", "Training steps per second on random tokens (prompt share 0.3), as the anchor's train task.")
            { config, objective, steps, warmup, threads, json };
        command.SetAction(parse =>
        {
            var r = TrainingBenchmark.Train(BenchmarkConfig.Named(parse.GetValue(config)!), parse.GetValue(objective)!,
                parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(threads));
            Print(parse.GetValue(json), r, $"{r.Config} {r.Objective}: {r.TokensPerSecond:F0} tokens/s, median step {r.StepMsMedian:F1} ms (head and objective {r.LossMsMedian:F1} ms), {r.Params} params, peak RSS {r.PeakRssMb:F0} MB");
            return 0;
        });
        return command;
    }

    static Command CreateProbe()
    {
        var config = ConfigOption();
        var batches = new Option<int>("--batches") { Description = "Measured batches.", DefaultValueFactory = _ => 50 };
        var threads = ThreadsOption();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("probe", "Probe (no-grad forward and label probabilities) tokens per second.") { config, batches, threads, json };
        command.SetAction(parse =>
        {
            var r = TrainingBenchmark.Probe(BenchmarkConfig.Named(parse.GetValue(config)!), parse.GetValue(batches), parse.GetValue(threads));
            Print(parse.GetValue(json), r, $"{r.Config} probe: {r.TokensPerSecond:F0} tokens/s");
            return 0;
        });
        return command;
    }

    static Command CreateDecode()
    {
        var config = ConfigOption();
        var batch = new Option<int>("--batch") { Description = "Prompts decoded together.", DefaultValueFactory = _ => 32 };
        var prompt = new Option<int>("--prompt") { Description = "Prompt tokens.", DefaultValueFactory = _ => 32 };
        var newTokens = new Option<int>("--new") { Description = "Tokens generated per prompt.", DefaultValueFactory = _ => 64 };
        var repeats = new Option<int>("--repeats") { Description = "Measured repeats.", DefaultValueFactory = _ => 3 };
        var noCache = new Option<bool>("--no-cache") { Description = "Recompute the whole sequence each step instead of using the KV cache." };
        var threads = ThreadsOption();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("decode", "Greedy decoding: new tokens per second, with or without the KV cache.")
            { config, batch, prompt, newTokens, repeats, noCache, threads, json };
        command.SetAction(parse =>
        {
            var r = TrainingBenchmark.Decode(BenchmarkConfig.Named(parse.GetValue(config)!), parse.GetValue(batch), parse.GetValue(prompt),
                parse.GetValue(newTokens), parse.GetValue(repeats), !parse.GetValue(noCache), parse.GetValue(threads));
            Print(parse.GetValue(json), r, $"{r.Config} decode ({(r.KvCache ? "KV cache" : "no cache")}): {r.NewTokensPerSecond:F0} new tokens/s");
            return 0;
        });
        return command;
    }

    static void Print<T>(bool json, T report, string line)
    {
        if (json) JsonOutput.Write(report);
        else AnsiConsole.WriteLine(line);
    }
}
