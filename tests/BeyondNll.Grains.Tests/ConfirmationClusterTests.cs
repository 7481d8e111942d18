using System.Text.Json;
using BeyondNll.Client.Commands;

namespace BeyondNll.Grains.Tests;

/// <summary>Confirmation on fresh seeds, the continuum it feeds, and the commands that read it, on real clusters.</summary>
public class ConfirmationClusterTests
{
    static JsonElement Json(StringWriter output) => JsonDocument.Parse(output.ToString().Trim().Split('\n')[^1]).RootElement;

    [Fact]
    public async Task A_search_confirms_its_best_and_nll_on_fresh_seeds_and_a_dry_run_records_no_point()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:2", "simulated:2");
        var request = Studies.Request(data, "confirmed", trials: 5, parallel: 4) with { Confirm = 2, ConfirmSeeds = 2 };
        var study = await Studies.Started(cluster.Grains, data, request);

        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(90));

        Assert.Equal(StudyState.Completed, status.State);
        var search = status.Trials.Where(t => t.Role == TrialRoles.Search).ToList();
        var confirm = status.Trials.Where(t => t.Role == TrialRoles.Confirm).ToList();
        Assert.Equal(5, search.Count);
        Assert.Equal(3 * 2, confirm.Count); // NLL and the two best others, two fresh seeds each
        Assert.All(search, t => Assert.Equal(3, t.Seed));
        Assert.Equal([4, 5, 4, 5, 4, 5], confirm.Select(t => t.Seed));
        Assert.All(confirm, t => Assert.Equal(TrialRunState.Completed, t.State));
        Assert.True(status.Best!.Role == TrialRoles.Search, "the search's best stays a search trial");

        var c = status.Confirmation!;
        Assert.Equal(3, c.Configurations.Count);
        Assert.Equal("baseline", c.Configurations[0].Role);
        Assert.Equal("nll", c.Configurations[0].Objective);
        // The two candidates are the two best distinct non-NLL configurations of the search.
        var expected = search.Where(t => t.Objective != "nll").OrderByDescending(t => t.Value).Select(t => t.Objective).Distinct().Take(2);
        Assert.Equal(expected, c.Configurations.Skip(1).Select(x => x.Objective));
        // The simulated workload is a function of the parameters alone: every seed agrees, the SE is 0,
        // and a difference is exact. Paired by seed, the differences have no spread: untested (the
        // zero-variance rule), never beyond noise.
        Assert.All(c.Configurations, x => Assert.Equal(0, x.StandardError));
        var challenger = c.Configurations.Skip(1).MaxBy(x => x.Mean)!;
        Assert.Equal(challenger.Name, c.Challenger);
        Assert.Equal(challenger.Mean - c.Configurations[0].Mean, c.Gain!.Value, 12);
        Assert.Equal(c.Gain > 0 ? challenger.Objective : "nll", c.WinnerObjective);
        Assert.Equal(("paired-t", 2, 2), (c.Test, c.Pairs, c.Comparisons.Count));
        Assert.Null(c.PValue);
        Assert.False(c.BeyondNoise);
        Assert.Equal(c.WinnerObjective, status.Answer!.Objective);
        Assert.True(status.Answer.Confirmed);

        // A dry run: its made-up values never become the backbone's answer or a point on the continuum.
        var backbone = await cluster.Grains.GetGrain<IBackboneGrain>("micro").Get();
        Assert.Empty(backbone!.Results);
        Assert.Empty(await cluster.Grains.GetGrain<IContinuumGrain>(0).ListAll());

        // The status JSON carries all of it, under new fields only, and says it was a dry run.
        var statusOut = new StringWriter();
        Assert.Equal(0, await SearchCommand.StatusAsync(cluster.Grains, "confirmed", json: true, statusOut, CancellationToken.None));
        var json = Json(statusOut);
        Assert.Equal(2, json.GetProperty("confirm").GetInt32());
        Assert.Equal(request.Workload, json.GetProperty("workload").GetString());
        Assert.Equal((5, 5, 6, 6), (json.GetProperty("trials_done").GetInt32(), json.GetProperty("trial_budget").GetInt32(),
            json.GetProperty("confirm_done").GetInt32(), json.GetProperty("confirm_trials").GetInt32()));
        var confirmation = json.GetProperty("confirmation");
        Assert.Equal(c.Gain!.Value, confirmation.GetProperty("gain").GetDouble(), 12);
        Assert.False(confirmation.GetProperty("beyond_noise").GetBoolean());
        Assert.Equal(3, confirmation.GetProperty("configurations").GetArrayLength());
        Assert.Equal("confirm", json.GetProperty("trials")[10].GetProperty("role").GetString());
        Assert.Equal(5, json.GetProperty("trials")[10].GetProperty("seed").GetInt32());

        var bestOut = new StringWriter();
        await BestCommand.BestAsync(cluster.Grains, "micro", json: true, bestOut, CancellationToken.None);
        Assert.Equal(0, Json(bestOut).GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task A_torch_search_confirms_on_real_seeds_probes_its_backbone_and_the_commands_read_the_continuum()
    {
        using var data = new TestData(pretrainSteps: 20);
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:2");
        var request = (Studies.Request(data, "torch-confirm", workload: "torch", trials: 3, parallel: 2)
            with { Metric = "nll", Evaluations = 0, Confirm = 1, ConfirmSeeds = 2 }).With(r => r with { Steps = 6 });
        var study = await Studies.Started(cluster.Grains, data, request);

        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(180));

        Assert.Equal(StudyState.Completed, status.State);
        var c = status.Confirmation!;
        Assert.Equal(2, c.Configurations.Count);
        // Real training on other seeds (another example order) gives other values.
        Assert.All(c.Configurations, x => Assert.Equal(2, x.Values.Count));
        Assert.Contains(c.Configurations, x => x.Values[0] != x.Values[1]);
        Assert.NotNull(c.GainStandardError);
        Assert.InRange(c.PValue!.Value, 0, 1);

        // The study probed its backbone on the training data and stored the probe on it.
        var entry = Assert.Single(await cluster.Grains.GetGrain<IContinuumGrain>(0).List());
        Assert.NotNull(entry.Probe);
        Assert.InRange(entry.Probe!.MeanP, 0, 1);
        var backbone = await cluster.Grains.GetGrain<IBackboneGrain>("micro").Get();
        Assert.Equal(entry.Probe, backbone!.Probes[status.Dataset]);

        using var figures = new TempFiles();
        var plot = Path.Combine(figures.Root, "map.png");
        var continuumOut = new StringWriter();
        Assert.Equal(0, await ContinuumCommand.RunAsync(cluster.Grains, json: true, plot, continuumOut, CancellationToken.None));
        var continuum = Json(continuumOut);
        var row = continuum.GetProperty("entries")[0];
        Assert.Equal("micro", row.GetProperty("backbone").GetString());
        Assert.Equal(entry.Probe.MeanP, row.GetProperty("mean_p").GetDouble());
        Assert.Equal(c.WinnerObjective, row.GetProperty("winner").GetString());
        Assert.Equal(2, continuum.GetProperty("figures").GetArrayLength());
        AssertPng(plot);
        AssertPng(Path.Combine(figures.Root, "map-k.png"));

        // One point is too few for a fit, but it is this backbone's own on this data: it answers, with the rate it won at.
        var recommendOut = new StringWriter();
        Assert.Equal(0, await RecommendCommand.RunAsync(cluster.Grains, "micro", data.Train, "nll", 32, json: true, recommendOut, CancellationToken.None));
        var recommendation = Json(recommendOut);
        Assert.Equal("measured", recommendation.GetProperty("basis").GetString());
        Assert.Equal(entry.Probe.MeanP, recommendation.GetProperty("mean_p").GetDouble());
        Assert.Equal(entry.Winner, recommendation.GetProperty("objective").GetString());
        Assert.Equal(entry.WinnerLearningRate, recommendation.GetProperty("lr").GetDouble());
        Assert.Equal(32, recommendation.GetProperty("probe_length").GetInt32());
    }

    /// <summary>A PNG with something drawn: its signature, and more bytes than an empty canvas takes.</summary>
    internal static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 5_000, $"{path}: {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    sealed class TempFiles : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("bnll-figures").FullName;
        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
