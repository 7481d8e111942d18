using System.CommandLine;
using BeyondNll.Client.Bench;
using BeyondNll.Training.Benchmarks;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll bench attempt --config tiny|small [--rounds 5] [--json]</c>: the start-up cost of running a
/// search's attempt in a worker process rather than in the silo's, and the time and size of its
/// checkpoints (issue 16), as <see cref="AttemptBenchmark"/> measures them.
/// </summary>
public static class BenchAttemptCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "The backbone's shape, as the anchor's configurations: tiny or small.", DefaultValueFactory = _ => "tiny" };
        var steps = new Option<int>("--steps") { Description = "Training steps per attempt.", DefaultValueFactory = _ => 20 };
        var every = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 5 };
        var rounds = new Option<int>("--rounds") { Description = "Measured pairs of attempts (in-process and worker, the order switched each round).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads of each attempt.", DefaultValueFactory = _ => 1 };
        var bare = new Option<bool>("--without-checkpoints")
            { Description = "Also run both sides without checkpoints each round, to tell what the checkpoints cost from what the worker costs." };
        var json = new Option<bool>("--json") { Description = "Print one line of JSON." };
        var command = new Command("attempt", "Start-up cost of an attempt in a worker process against one in this process, and the checkpoints' write time and size.")
            { config, steps, every, rounds, threads, bare, json };
        command.SetAction((parse, ct) =>
        {
            var quiet = parse.GetValue(json);
            var r = AttemptBenchmark.Run(BenchmarkConfig.Named(parse.GetValue(config)!), parse.GetValue(steps), parse.GetValue(every),
                parse.GetValue(rounds), parse.GetValue(threads), line => { if (!quiet) Console.Error.WriteLine(line); }, ct,
                parse.GetValue(bare));
            if (quiet) JsonOutput.Write(r);
            else
                AnsiConsole.WriteLine($"{r.Config} ({r.Params:N0} params), {r.Steps} steps, {r.Rounds} rounds: worker start-up {r.StartupSecondsMedian:F2} s " +
                    $"(first step {r.WorkerFirstStepMedian:F2} s in a worker, {r.InProcessFirstStepMedian:F2} s in process; whole attempt ×{r.WallRatioMedian:F2}); " +
                    $"checkpoint {r.CheckpointBytes / 1048576.0:F1} MiB in {r.CheckpointMsMedian:F0} ms (median of {r.Checkpoints}, max {r.CheckpointMsMax:F0} ms)" +
                    (double.IsNaN(r.CheckpointShareMedian) ? "" :
                        $"; checkpoints' share of an attempt {r.CheckpointShareMedian:P0} in process, {r.WorkerCheckpointShareMedian:P0} in a worker"));
            return Task.FromResult(0);
        });
        return command;
    }
}
