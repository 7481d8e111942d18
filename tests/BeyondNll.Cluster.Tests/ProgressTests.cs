using System.Text.Json;
using BeyondNll.Client.Bench;
using BeyondNll.Client.Commands;

namespace BeyondNll.Cluster.Tests;

/// <summary>
/// Progress of long commands: on stderr, a line when the work starts and one when it ends (a spinner
/// on a terminal); nothing with --json, where stdout carries only the result.
/// </summary>
public class ProgressTests
{
    [Fact]
    public async Task Progress_is_a_line_at_the_start_and_the_end_and_nothing_when_quiet()
    {
        var log = new StringWriter();
        var result = await ConsoleProgress.WhileAsync(log, "hashing", async show => { show("hashing: half"); await Task.Yield(); return 42; });
        Assert.Equal(42, result);
        var lines = log.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal("hashing ...", lines[0]);
        Assert.StartsWith("hashing: half (", lines[1]);
        Assert.Matches(@"^hashing: done in \d+\.\d s$", lines[2]);
        Assert.Equal(3, lines.Length);

        Assert.Equal(7, await ConsoleProgress.WhileAsync(TextWriter.Null, "quiet", _ => Task.FromResult(7)));
    }

    [Fact]
    public async Task Probe_says_what_it_does_on_stderr_and_nothing_there_with_json()
    {
        var folder = Directory.CreateTempSubdirectory("bnll-progress-").FullName;
        try
        {
            var (backbone, train, _) = DryRunInputs.Write(folder);
            string[] probe = ["probe", "--backbone", backbone, "--data", train, "--threads", "1"];

            var (exit, stdout, stderr) = await BnllProcess.Run(TimeSpan.FromMinutes(3), [.. probe, "--json"]);
            Assert.Equal(0, exit);
            Assert.Equal("", stderr);
            using (var json = JsonDocument.Parse(stdout)) // stdout is the result alone
                Assert.InRange(json.RootElement.GetProperty("mean_p").GetDouble(), 0, 1);

            (exit, _, stderr) = await BnllProcess.Run(TimeSpan.FromMinutes(3), probe);
            Assert.Equal(0, exit);
            // Redirected stderr: a line at the start and one at the end, no spinner's control codes.
            var lines = stderr.TrimEnd('\n').Split('\n');
            Assert.Equal("probe: loading the backbone and scoring 64 examples' response tokens ...", lines[0]);
            Assert.Matches(@"^probe: loading the backbone and scoring 64 examples' response tokens: done in \d+\.\d s$", lines[^1]);
            Assert.DoesNotContain('\u001b', stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
