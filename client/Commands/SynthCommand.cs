using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BeyondNll.Training.Data;
using BeyondNll.Training.Synthetic;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll synth</c>: synthetic tasks, for studying objectives without external data or
/// backbones. Each subcommand is built by its own Create method below.
/// </summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var synth = new Command("synth", "Synthetic tasks: generate data sets to fine-tune on.");
        synth.Subcommands.Add(CreateData());
        synth.Subcommands.Add(SynthBackboneCommand.Create());
        return synth;
    }

    /// <summary><c>bnll synth data</c>: writes DIR/train.jsonl, DIR/val.jsonl and DIR/test.jsonl (disjoint prompts) for one task.</summary>
    static Command CreateData()
    {
        var task = new Option<string>("--task")
        {
            Description = $"The task: {string.Join(", ", SyntheticTasks.Names)}.",
            Required = true,
        };
        var n = new Option<int>("--n") { Description = "Training examples to write.", Required = true };
        var noise = new Option<double>("--noise")
        {
            Description = "Share of training response characters to corrupt, in [0, 1]; validation stays clean.",
        };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed gives the same files." };
        var val = new Option<int?>("--val")
        {
            Description = "Validation examples, none sharing a prompt with training (default: max(50, n/10)).",
        };
        var test = new Option<int?>("--test")
        {
            Description = "Held-out test examples, sharing no prompt with training or validation (default: as many as validation).",
        };
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder to write train.jsonl, val.jsonl and test.jsonl to; created if missing.",
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };

        var command = new Command("data", "Generate a train, a validation and a held-out test set of a synthetic task as JSON lines.")
        {
            task, n, noise, seed, val, test, output, json,
        };
        command.SetAction(parseResult =>
        {
            int trainCount = parseResult.GetValue(n);
            var valCount = parseResult.GetValue(val) ?? Math.Max(50, trainCount / 10);
            var summary = WriteData(
                SyntheticTasks.Get(parseResult.GetValue(task)!),
                trainCount,
                parseResult.GetValue(noise),
                parseResult.GetValue(seed),
                valCount,
                parseResult.GetValue(test) ?? valCount,
                parseResult.GetValue(output)!);
            parseResult.InvocationConfiguration.Output.WriteLine(parseResult.GetValue(json)
                ? JsonSerializer.Serialize(summary, SummaryJson)
                : string.Create(CultureInfo.InvariantCulture,
                    $"wrote {summary.Train} training, {summary.Val} validation and {summary.Test} test examples of '{summary.Task}' " +
                    $"(noise {summary.Noise}, seed {summary.Seed}) to {summary.Out}"));
            return 0;
        });
        return command;
    }

    sealed record SynthDataSummary(string Task, int Train, int Val, double Noise, int Seed, string Out, int Test);

    static readonly JsonSerializerOptions SummaryJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    static SynthDataSummary WriteData(ISyntheticTask task, int n, double noise, int seed, int valCount, int testCount, DirectoryInfo output)
    {
        // An empty val.jsonl or test.jsonl could not be read back, so the command needs at least one of each.
        if (valCount < 1)
            throw new ArgumentOutOfRangeException("--val", $"--val must be at least 1, not {valCount}");
        if (testCount < 1)
            throw new ArgumentOutOfRangeException("--test", $"--test must be at least 1, not {testCount}");
        var files = LocalRun.WriteData(task, n, noise, seed, valCount, testCount, output.FullName);
        return new SynthDataSummary(task.Name, n, valCount, noise, seed, Path.GetDirectoryName(files.Train)!, testCount);
    }
}
