using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Studies.Factorial;

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

            // A factorial of the demo's backbones and data (the same largest level), without level 10, to set beside it.
            var factorial = await Factorial(root, [2, 5, 20], examples: 100);

            // One rung (the NLL baseline once at 3e-4), so that two trials leave one to the sampler.
            var exit = await DemoCommand.RunAsync("cipher", 0.1, size, [3e-4], root, figure, json: true, CancellationToken.None, factorial);

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
            Assert.Equal(["power:1", "power:1", null, "power:1"], levels.Select(l => l.GetProperty("factorial_winner").GetString()));
            ConfirmationClusterTests.AssertPng(figure);
            ConfirmationClusterTests.AssertPng(Path.Combine(root, "continuum-k.png"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A factorial whose backbones are not the demo's (snapshots of a run of another length; data of another size) is
    /// refused before any work, saying what to give instead: its answers would be about other backbones.
    /// </summary>
    [Theory]
    [InlineData(new[] { 2, 5, 10 }, 100, "its backbones are snapshots of a 10-step pretraining run and the demo's of a 20-step one, so the same steps are other backbones; give --pretrain-steps whose largest is 10 (the factorial's levels: 2,5,10)")]
    [InlineData(new[] { 2, 5, 20 }, 2000, "its data (2000 training, 200 validation, 200 test examples) are not the demo's (100, 50, 50); give --examples 2000")]
    public async Task A_factorial_of_other_backbones_is_refused_before_any_work(int[] levels, int examples, string expected)
    {
        var root = Directory.CreateTempSubdirectory("bnll-demo").FullName;
        try
        {
            var size = new DemoCommand.Size([2, 5, 10, 20], Seeds: 1, Trials: 2, Steps: 3, Confirm: 1, ConfirmSeeds: 2, Examples: 100);
            var factorial = await Factorial(root, levels, examples);

            var refused = await Assert.ThrowsAsync<ArgumentException>(() => DemoCommand.RunAsync("cipher", 0.1, size, [3e-4], root,
                Path.Combine(root, "continuum.png"), json: true, CancellationToken.None, factorial));

            Assert.Equal($"--factorial {factorial}: {expected}", refused.Message);
            Assert.False(Directory.Exists(Path.Combine(root, "cluster")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A factorial.json of the demo's task and noise at <paramref name="levels"/>, in which power:1 beats NLL on every seed.</summary>
    static async Task<string> Factorial(string root, IReadOnlyList<int> levels, int examples)
    {
        var path = Path.Combine(root, "factorial", FactorialFiles.ResultsFile);
        var held = Math.Max(50, examples / 10);
        var settings = new FactorialSettings(["cipher"], ["noise:0.1"], levels, [0, 1, 2], ["nll", "power:1"], [3e-4], 3, examples, held, held, 1);
        var cells = levels.SelectMany(level => settings.Seeds.Select(seed => new FactorialCell("cipher", "noise:0.1", level, seed, 0.5, 0.5, 0.1,
            $"grid-{level}-{seed}", [new("nll", 3e-4, 0.2, 0.2 + 0.01 * seed, 3, "completed"), new("power:1", 3e-4, 0.6, 0.6 + 0.02 * seed, 3, "completed")]))).ToList();
        await FactorialFiles.WriteResultsAsync(path, settings, cells, [], root, 0, write: false, CancellationToken.None);
        return path;
    }
}
