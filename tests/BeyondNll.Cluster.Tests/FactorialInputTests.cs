using BeyondNll.Client.Commands;

namespace BeyondNll.Cluster.Tests;

/// <summary>`bnll factorial run` refuses a bad design before any work: one line naming the flag, exit 2, nothing written.</summary>
public class FactorialInputTests
{
    [Theory]
    [InlineData("--tasks: give at least one task", "--tasks", ",")]
    [InlineData("unknown task 'cypher'", "--tasks", "cypher")]
    [InlineData("--conditions: 'noise:2' is not clean, noise:S or variation:S with S in (0, 1)", "--conditions", "noise:2")]
    [InlineData("--conditions: 'dirty' is not clean, noise:S or variation:S with S in (0, 1)", "--conditions", "dirty")]
    [InlineData("--levels: give at least two backbone levels, got 1", "--levels", "100")]
    [InlineData("--levels: 'x' is not a number of steps (0 or more)", "--levels", "0,x")]
    [InlineData("--levels: the steps must differ", "--levels", "10,10")]
    [InlineData("--objectives: give nll and at least one other objective", "--objectives", "power:1,power:10")]
    [InlineData("--objectives: ", "--objectives", "nll,power:abc")]
    [InlineData("--seeds must be at least 1", "--seeds", "0")]
    [InlineData("--steps must be at least 1, got 0", "--steps", "0")]
    [InlineData("--task-share must be in (0, 1], got 0", "--task-share", "0")]
    [InlineData("--search-args needs --search", "--search-args=--trials 4")]
    [InlineData("search start", "--search", "--search-args=--trials x")]
    public async Task A_bad_design_is_refused_before_any_work(string message, params string[] args)
    {
        var root = Directory.CreateTempSubdirectory("bnll-factorial-input").FullName;
        try
        {
            var output = Path.Combine(root, "out");
            var (exit, stdout, stderr) = await BnllProcess.Run(TimeSpan.FromSeconds(60), ["factorial", "run", "--out", output, .. args]);
            Assert.Equal(CommandLineExit.BadInput, exit);
            Assert.Equal("", stdout);
            Assert.Contains(message, stderr);
            Assert.False(Directory.Exists(output), "a refused design wrote something");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_report_of_a_file_that_is_not_a_factorials_results_is_refused()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "{\"not\": [1, 2");
            var (exit, _, stderr) = await BnllProcess.Run(TimeSpan.FromSeconds(60), ["factorial", "report", "--from", file]);
            Assert.Equal(CommandLineExit.BadInput, exit);
            Assert.Contains($"{file} is not a factorial's results", stderr);
            (exit, _, stderr) = await BnllProcess.Run(TimeSpan.FromSeconds(60), ["factorial", "report", "--from", file + ".missing"]);
            Assert.Equal(CommandLineExit.BadInput, exit);
            Assert.Contains("no such file", stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
