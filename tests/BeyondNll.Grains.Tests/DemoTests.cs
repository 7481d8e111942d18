using System.Text.Json;
using BeyondNll.Client.Commands;

namespace BeyondNll.Grains.Tests;

/// <summary>`bnll demo`'s whole path (data, graded backbones, probes, searches, confirmation, table, figures) at a reduced size.</summary>
public class DemoTests
{
    [Fact]
    public async Task The_demo_runs_end_to_end_at_a_reduced_size()
    {
        var root = Directory.CreateTempSubdirectory("bnll-demo").FullName;
        try
        {
            var size = new DemoCommand.Size([2, 5, 10, 20], Seeds: 1, Trials: 2, Steps: 3, Confirm: 1, ConfirmSeeds: 2, Examples: 100);
            var figure = Path.Combine(root, "continuum.png");

            // One rung (the NLL baseline once at 3e-4), so that two trials leave one to the sampler.
            var exit = await DemoCommand.RunAsync("cipher", 0.1, size, [3e-4], root, figure, json: true, CancellationToken.None);

            Assert.Equal(0, exit);
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "continuum.json")));
            var entries = report.RootElement.GetProperty("entries").EnumerateArray().ToList();
            Assert.Equal(["s0-p2", "s0-p5", "s0-p10", "s0-p20"], entries.Select(e => e.GetProperty("backbone").GetString()!)
                .OrderBy(n => int.Parse(n.Split('p')[^1])));
            Assert.All(entries, e =>
            {
                Assert.True(e.GetProperty("confirmed").GetBoolean());
                Assert.InRange(e.GetProperty("mean_p").GetDouble(), 0, 1);
                Assert.Equal(2 + 2 * 2, e.GetProperty("trials").GetInt32());
                // Selected on validation, the confirmation and the gain measured on the held-out test set.
                Assert.Equal("test", e.GetProperty("split").GetString());
                Assert.InRange(e.GetProperty("test_value").GetDouble(), 0, 1);
                Assert.True(e.GetProperty("probe_length").GetInt32() > 0); // probed at the study's max length
            });
            // More pretraining, a stronger prior: the probe orders the backbones as their steps do.
            var levels = report.RootElement.GetProperty("levels").EnumerateArray().ToList();
            Assert.Equal([2, 5, 10, 20], levels.Select(l => l.GetProperty("pretrain_steps").GetInt32()));
            Assert.True(levels[^1].GetProperty("mean_p").GetDouble() > levels[0].GetProperty("mean_p").GetDouble());
            ConfirmationClusterTests.AssertPng(figure);
            ConfirmationClusterTests.AssertPng(Path.Combine(root, "continuum-k.png"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
