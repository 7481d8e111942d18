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
        var variation = new Option<double>("--variation")
        {
            Description = "Share of training responses given harmless formatting the scorer ignores (a space or newline " +
                "before and/or after), in [0, 1]; validation and test stay canonical.",
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
            task, n, noise, variation, seed, val, test, output, json,
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
                parseResult.GetValue(variation),
                parseResult.GetValue(output)!);
            parseResult.InvocationConfiguration.Output.WriteLine(parseResult.GetValue(json)
                ? JsonSerializer.Serialize(summary, SummaryJson)
                : SummaryLine(summary));
            return 0;
        });
        return command;
    }

    // Fields are only ever added, at the end: scripts read the JSON by these names.
    sealed record SynthDataSummary(string Task, int Train, int Val, double Noise, int Seed, string Out, int Test, double Variation);

    /// <summary>The one-line summary; it names the variation only when there is some, so the line of data without it is as it was.</summary>
    static string SummaryLine(SynthDataSummary summary)
    {
        var variation = summary.Variation > 0 ? string.Create(CultureInfo.InvariantCulture, $", variation {summary.Variation}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"wrote {summary.Train} training, {summary.Val} validation and {summary.Test} test examples of '{summary.Task}' " +
            $"(noise {summary.Noise}{variation}, seed {summary.Seed}) to {summary.Out}");
    }

    static readonly JsonSerializerOptions SummaryJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    static SynthDataSummary WriteData(ISyntheticTask task, int n, double noise, int seed, int valCount, int testCount, double variation, DirectoryInfo output)
    {
        // An empty val.jsonl or test.jsonl could not be read back, so the command needs at least one of each.
        if (valCount < 1)
            throw new ArgumentOutOfRangeException("--val", $"--val must be at least 1, not {valCount}");
        if (testCount < 1)
            throw new ArgumentOutOfRangeException("--test", $"--test must be at least 1, not {testCount}");
        var files = LocalRun.WriteData(task, n, noise, seed, valCount, testCount, output.FullName, variation);
        return new SynthDataSummary(task.Name, n, valCount, noise, seed, Path.GetDirectoryName(files.Train)!, testCount, variation);
    }
}
