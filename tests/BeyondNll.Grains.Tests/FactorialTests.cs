using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Studies.Factorial;

namespace BeyondNll.Grains.Tests;

/// <summary>`bnll factorial run`'s whole path at a reduced size: graded backbones, a grid study per cell, the product's search beside it, the analysis, the figures, and a resume that trains nothing twice.</summary>
public class FactorialTests
{
    /// <summary>A hang fails the test instead of holding the suite until CI's limit.</summary>
    readonly CancellationTokenSource deadline = new(TimeSpan.FromMinutes(10));

    [Fact]
    public async Task A_reduced_factorial_runs_end_to_end_and_resumes_without_training_again()
    {
        var root = Directory.CreateTempSubdirectory("bnll-factorial").FullName;
        try
        {
            var settings = FactorialCommand.Defaults with
            {
                Tasks = ["cipher"], Conditions = ["variation:0.5"], Levels = [0, 5], Seeds = [0, 1], Objectives = ["nll", "power:1"],
                LearningRates = [3e-4], Steps = 3, Examples = 100, ValExamples = 20, TestExamples = 20,
            };
            // NLL and power:1 at the one rate, then both confirmed on two seeds.
            string[] search = ["--trials", "2", "--lr", "3e-4", "--enqueue", "power:1", "--confirm", "1", "--confirm-seeds", "2", "--evaluations", "0"];

            Assert.Equal(0, await FactorialCommand.RunAsync(settings, search, root, root, json: true, deadline.Token));

            var path = Path.Combine(root, FactorialFiles.ResultsFile);
            var written = JsonSerializer.Deserialize<FactorialFiles.FactorialJson>(await File.ReadAllTextAsync(path), JsonOutput.Options)!;
            // Every cell: both objectives at the one rate, completed, scored on validation and test.
            Assert.Equal(4, written.Cells.Count);
            Assert.All(written.Cells, c =>
            {
                Assert.Equal(["nll", "power:1"], c.Runs.Select(r => r.Objective).Order());
                Assert.All(c.Runs, r =>
                {
                    Assert.Equal("completed", r.State);
                    Assert.Equal(3, r.Steps);
                    Assert.InRange(r.TestValue!.Value, 0, 1);
                    Assert.InRange(r.Value!.Value, 0, 1);
                });
                Assert.InRange(c.MeanP, 0, 1);
                Assert.InRange(c.AccuracyBefore, 0, 1);
            });
            // More pretraining, a stronger prior, on both seeds.
            foreach (var seed in new[] { 0, 1 })
                Assert.True(written.Cells.Single(c => c.Seed == seed && c.Level == 5).MeanP > written.Cells.Single(c => c.Seed == seed && c.Level == 0).MeanP);
            // The product's search ran on every cell, with the flags given, and confirmed its answer.
            Assert.Equal(4, written.Searches.Count);
            Assert.All(written.Searches, s =>
            {
                Assert.Equal(string.Join(' ', search), s.Args);
                Assert.True(s.Confirmed);
                Assert.Equal(2 * 3 + 2 * 2 * 3, s.Steps); // two search trials and two configurations on two seeds, 3 steps each
                Assert.InRange(s.TestValue!.Value, 0, 1); // the answer scored on the cell's test split
            });
            Assert.Equal(2, written.Report.Levels.Count);
            Assert.All(written.Report.Levels, l => Assert.Equal(2, l.Seeds));
            Assert.Equal(2, written.Report.Agreement.Count);
            // Named relative to the results' folder, so they move with it.
            Assert.Equal("factorial-cipher-variation-0.5.png", Assert.Single(written.Figures));
            ConfirmationClusterTests.AssertPng(Path.Combine(root, written.Figures[0]));

            // The same design again: everything is there, so nothing trains and the results stay.
            Assert.Equal(0, await FactorialCommand.RunAsync(settings, search, root, root, json: true, deadline.Token));
            var again = JsonSerializer.Deserialize<FactorialFiles.FactorialJson>(await File.ReadAllTextAsync(path), JsonOutput.Options)!;
            Assert.Equal(written.Cells, again.Cells, (a, b) => a.Study == b.Study && a.Runs.SequenceEqual(b.Runs));
            Assert.Equal(written.Searches, again.Searches);

            // A search of other flags on seed 0's cells: other studies beside the first ones, the cells untouched.
            // (Its silo, the third in this process on a cleared folder, once found the first one's deleted state
            // through pooled SQLite connections and hung: SqliteGrainStorageTests.)
            string[] cheaper = ["--trials", "1", "--lr", "3e-4", "--confirm", "0", "--evaluations", "0"];
            Assert.Equal(0, await FactorialCommand.RunAsync(settings with { Seeds = [0] }, cheaper, root, root, json: true, deadline.Token));
            var both = JsonSerializer.Deserialize<FactorialFiles.FactorialJson>(await File.ReadAllTextAsync(path), JsonOutput.Options)!;
            Assert.Equal(written.Cells, both.Cells, (a, b) => a.Study == b.Study && a.Runs.SequenceEqual(b.Runs));
            var added = both.Searches.Where(s => s.Args == string.Join(' ', cheaper)).ToList();
            Assert.Equal([0, 0], added.Select(s => s.Seed));
            Assert.All(added, s => Assert.Equal(3, s.Steps));
            Assert.Equal(6, both.Searches.Select(s => s.Study).Distinct().Count());

            // Another design in the same folder is refused, and the results are untouched.
            var before = await File.ReadAllTextAsync(path);
            var other = settings with { Steps = 4 };
            await Assert.ThrowsAsync<ArgumentException>(() => FactorialCommand.RunAsync(other, null, root, root, json: true, deadline.Token));
            Assert.Equal(before, await File.ReadAllTextAsync(path));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
