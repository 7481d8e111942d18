using System.CommandLine;
using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Training.Data;

namespace BeyondNll.Training.Tests.Synthetic;

/// <summary>Runs <c>bnll synth data</c> in-process, the way Program.cs wires it.</summary>
public sealed class SynthCommandTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    static RootCommand Root() => new() { SynthCommand.Create() };

    static async Task<(int ExitCode, string Output)> Invoke(params string[] args)
    {
        var output = new StringWriter();
        var config = new InvocationConfiguration { Output = output, EnableDefaultExceptionHandler = false };
        int exitCode = await Root().Parse(args).InvokeAsync(config);
        return (exitCode, output.ToString());
    }

    [Fact]
    public async Task Writes_train_val_and_test_files_that_read_back_and_prints_a_json_summary()
    {
        var outDir = folder.File("reverse-data");

        var (exitCode, output) = await Invoke(
            "synth", "data", "--task", "reverse", "--n", "120", "--noise", "0.1", "--seed", "3", "--out", outDir, "--json");

        Assert.Equal(0, exitCode);
        var train = SftDataReader.Read(Path.Combine(outDir, "train.jsonl"));
        var val = SftDataReader.Read(Path.Combine(outDir, "val.jsonl"));
        Assert.Equal(120, train.Count);
        Assert.Equal(50, val.Count); // max(50, 120 / 10)
        Assert.All(val, e => Assert.StartsWith("reverse:", e.Prompt));
        // The held-out test set: as many as validation by default, its prompts in neither of the others.
        var test = SftDataReader.Read(Path.Combine(outDir, "test.jsonl"));
        Assert.Equal(50, test.Count);
        Assert.Empty(test.Select(e => e.Prompt).Intersect(train.Select(e => e.Prompt).Concat(val.Select(e => e.Prompt))));
        Assert.Equal(50, test.Select(e => e.Prompt).Distinct().Count());

        using var summary = JsonDocument.Parse(output);
        var json = summary.RootElement;
        Assert.Equal("reverse", json.GetProperty("task").GetString());
        Assert.Equal(120, json.GetProperty("train").GetInt32());
        Assert.Equal(50, json.GetProperty("val").GetInt32());
        Assert.Equal(0.1, json.GetProperty("noise").GetDouble());
        Assert.Equal(3, json.GetProperty("seed").GetInt32());
        Assert.Equal(50, json.GetProperty("test").GetInt32());
        Assert.Equal(Path.GetFullPath(outDir), json.GetProperty("out").GetString());
    }

    [Fact]
    public async Task The_default_summary_is_one_line_and_val_and_test_can_be_set()
    {
        var outDir = folder.File("addition-data");

        var (exitCode, output) = await Invoke("synth", "data", "--task", "addition", "--n", "1000", "--val", "7", "--test", "9", "--out", outDir);

        Assert.Equal(0, exitCode);
        Assert.Equal($"wrote 1000 training, 7 validation and 9 test examples of 'addition' (noise 0, seed 0) to {outDir}",
            output.TrimEnd('\n'));
        Assert.Equal(7, SftDataReader.Read(Path.Combine(outDir, "val.jsonl")).Count);
        Assert.Equal(9, SftDataReader.Read(Path.Combine(outDir, "test.jsonl")).Count);
    }

    [Fact]
    public async Task Training_and_validation_are_those_of_the_same_seed_without_a_test_set()
    {
        // The test set is drawn after the others: data sets written before it existed are reproduced exactly.
        var outDir = folder.File("cipher-data");
        Assert.Equal(0, (await Invoke("synth", "data", "--task", "cipher", "--n", "200", "--noise", "0.1", "--seed", "5", "--out", outDir)).ExitCode);
        var (train, val) = Training.Synthetic.SyntheticData.Generate(Training.Synthetic.SyntheticTasks.Get("cipher"), 200, 0.1, 5, 50);
        Assert.Equal(train, SftDataReader.Read(Path.Combine(outDir, "train.jsonl")));
        Assert.Equal(val, SftDataReader.Read(Path.Combine(outDir, "val.jsonl")));
    }

    [Fact]
    public async Task Variation_is_written_as_generated_reported_and_the_same_for_the_same_seed()
    {
        var outDir = folder.File("varied");
        var againDir = folder.File("varied-again");
        string[] options = ["--task", "cipher", "--n", "200", "--noise", "0.1", "--variation", "0.25", "--seed", "3"];

        var (exitCode, output) = await Invoke(["synth", "data", .. options, "--out", outDir, "--json"]);
        var (againCode, againOutput) = await Invoke(["synth", "data", .. options, "--out", againDir]);

        Assert.Equal((0, 0), (exitCode, againCode));
        using var summary = JsonDocument.Parse(output);
        Assert.Equal(0.25, summary.RootElement.GetProperty("variation").GetDouble());
        Assert.Equal(0.1, summary.RootElement.GetProperty("noise").GetDouble());
        Assert.Equal($"wrote 200 training, 50 validation and 50 test examples of 'cipher' (noise 0.1, variation 0.25, seed 3) to {againDir}",
            againOutput.TrimEnd('\n'));
        foreach (var file in new[] { "train.jsonl", "val.jsonl", "test.jsonl" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(outDir, file)), File.ReadAllBytes(Path.Combine(againDir, file)));
        // The whitespace survives the file: what is read back is what was generated.
        var expected = Training.Synthetic.SyntheticData.Generate(Training.Synthetic.SyntheticTasks.Get("cipher"), 200, 0.1, 3, 50, 50, variation: 0.25);
        var train = SftDataReader.Read(Path.Combine(outDir, "train.jsonl"));
        Assert.Equal(expected.Train, train);
        Assert.Contains(train, e => e.Response != e.Response.Trim());
    }

    [Theory]
    [InlineData("--task", "division", "--n", "10")]
    [InlineData("--task", "sort", "--n", "0")]
    [InlineData("--task", "sort", "--n", "10", "--noise", "1.5")]
    [InlineData("--task", "sort", "--n", "10", "--variation", "1.5")]
    [InlineData("--task", "sort", "--n", "10", "--variation", "-0.1")]
    [InlineData("--task", "sort", "--n", "10", "--variation", "some")]
    [InlineData("--task", "sort", "--n", "10", "--val", "0")]
    [InlineData("--task", "sort", "--n", "10", "--test", "0")]
    public async Task Bad_input_exits_with_code_2_and_writes_nothing(params string[] options)
    {
        var outDir = folder.File("never");

        int exitCode = await CommandLineExit.RunAsync(Root(), ["synth", "data", .. options, "--out", outDir]);

        Assert.Equal(CommandLineExit.BadInput, exitCode);
        Assert.False(Directory.Exists(outDir));
    }
}
