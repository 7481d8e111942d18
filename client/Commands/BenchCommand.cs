using System.CommandLine;
using BeyondNll.Training.Benchmarks;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// `bnll bench train|probe|decode`: the training layer's speed on the configurations of the PyTorch
/// anchor bench/torch_anchor.py, measured the same way and with the same arguments, so that
/// bench/train_vs_torch.py can run both and compare them as ratios.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure speed: the training layer and the cluster's orchestration; bench/train_vs_torch.py compares train, probe and decode with the PyTorch anchor bench/torch_anchor.py, and docs/benchmarks.md has the figures.");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateProbe());
        command.Subcommands.Add(CreateDecode());
        command.Subcommands.Add(CreateMemory());
        command.Subcommands.Add(BenchClusterCommand.Create());
        command.Subcommands.Add(BenchStudyCommand.Create());
        command.Subcommands.Add(BenchAttemptCommand.Create());
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

    static Command CreateMemory()
    {
        var path = new Option<string>("--path") { Description = "Loss path: chunked, full, checkpointed (chunked with gradient checkpointing), or all (each in a child process).", DefaultValueFactory = _ => "all" };
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size (Qwen2.5: 151936).", DefaultValueFactory = _ => 151936 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size.", DefaultValueFactory = _ => 256 };
        var layers = new Option<int>("--layers") { Description = "Layers.", DefaultValueFactory = _ => 2 };
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => 4 };
        var sequence = new Option<int>("--sequence") { Description = "Tokens per sequence.", DefaultValueFactory = _ => 512 };
        var chunk = new Option<int>("--chunk-tokens") { Description = "Tokens per chunk of the chunked objective.", DefaultValueFactory = _ => 1024 };
        var threads = ThreadsOption();
        var json = new Option<bool>("--json") { Description = "Print JSON (one line per path)." };
        var command = new Command("memory", "Peak memory (VmHWM) of one training step of a large-vocabulary model, by loss path.")
            { path, vocab, hidden, layers, batch, sequence, chunk, threads, json };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(path)!;
            if (name == "all")
            {
                // VmHWM only rises, so each path gets a fresh process: this command again, with one path.
                var rest = parse.Tokens.Select(t => t.Value).ToList();
                foreach (var one in new[] { "full", "chunked", "checkpointed" })
                    if (RunSelf(["bench", "memory", .. WithPath(rest, one)]) is var code and not 0) return code;
                return 0;
            }
            var lossPath = name switch
            {
                "chunked" => LossPath.Chunked,
                "full" => LossPath.Full,
                "checkpointed" => LossPath.ChunkedCheckpointed,
                _ => throw new ArgumentException($"unknown --path '{name}'; use chunked, full, checkpointed or all"),
            };
            var r = MemoryBenchmark.Run(lossPath, parse.GetValue(vocab), parse.GetValue(hidden), parse.GetValue(layers),
                parse.GetValue(batch), parse.GetValue(sequence), parse.GetValue(chunk), parse.GetValue(threads));
            Print(parse.GetValue(json), r, $"{r.Path}: peak RSS {r.PeakRssMb:F0} MB ({r.BaselineRssMb:F0} MB before the step, +{r.StepMb:F0} MB), " +
                $"vocab {r.Vocab}, {r.Params:N0} params, {r.Batch}×{r.Sequence} tokens, {r.Seconds:F1} s");
            return 0;
        });
        return command;
    }

    // The command line without its --path option, plus --path PATH.
    static List<string> WithPath(List<string> tokens, string path)
    {
        var kept = new List<string>();
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] == "--path") { i++; continue; }
            if (tokens[i].StartsWith("--path=", StringComparison.Ordinal)) continue;
            kept.Add(tokens[i]);
        }
        return [.. kept.Where(t => t is not ("bench" or "memory")), "--path", path];
    }

    // Runs this console again (as `dotnet bnll.dll ...` or the apphost), sharing stdout and stderr.
    static int RunSelf(IReadOnlyList<string> args)
    {
        var host = Environment.ProcessPath!;
        var start = new System.Diagnostics.ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var child = System.Diagnostics.Process.Start(start)!;
        child.WaitForExit();
        return child.ExitCode;
    }

    static void Print<T>(bool json, T report, string line)
    {
        if (json) JsonOutput.Write(report);
        else AnsiConsole.WriteLine(line);
    }
}
