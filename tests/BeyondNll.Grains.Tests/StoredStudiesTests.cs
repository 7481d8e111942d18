using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Grains.Workloads;
using BeyondNll.Silo.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace BeyondNll.Grains.Tests;

/// <summary>
/// Studies, attempts, backbones and the continuum stored by the version before the study model
/// (Stored/*.json, that version's own storage format) load in this one: a completed study shows its
/// trials, recipes and answer; a running one is brought up to date, stores its trials apart and
/// finishes; `best` and `continuum` read the old records. Studies stored by the study model's first
/// version (Stored/v2: trial records apart, intermediate values kept beside the curve) load too.
/// </summary>
public sealed class StoredStudiesTests : IAsyncLifetime
{
    readonly TestData data = new();
    TestCluster cluster = null!;

    public async Task InitializeAsync()
    {
        var placeholders = new Dictionary<string, string>
        {
            ["{ROOT}"] = data.Root,
            ["{SHA_BACKBONE}"] = FileFingerprints.Of(data.Backbone).Sha256,
            ["{SHA_TRAIN}"] = FileFingerprints.Of(data.Train).Sha256,
            ["{SHA_VAL}"] = FileFingerprints.Of(data.Val).Sha256,
        };
        Directory.CreateDirectory(data.ClusterData);
        var database = new ClusterSiloOptions { DataDirectory = data.ClusterData }.DatabasePath;
        await Store(database, "study/legacy1", "study", "study-v1.json", placeholders);
        await Store(database, "study/legacy2", "study", "study-running-v1.json", placeholders);
        await Store(database, "trial/legacy1|1|1|127.0.0.1:11111@1", "attempt", "attempt-v1.json", placeholders);
        await Store(database, "backbone/tiny", "backbone", "backbone-v1.json", placeholders);
        await Store(database, "continuum/0", "continuum", "continuum-v1.json", placeholders);
        // The study model's own format (v2): the study's small record and one record per trial.
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "Stored", "v2", "index.tsv")))
            if (line.Split('\t') is [var grain, var state, var file])
                await Store(database, grain, state, Path.Combine("v2", file), placeholders);
        cluster = await TestCluster.Start(data.ClusterData, "simulated:2");
        await cluster.Grains.GetGrain<IBackboneGrain>("micro").Register(data.Backbone);
    }

    public async Task DisposeAsync()
    {
        await cluster.DisposeAsync();
        data.Dispose();
    }

    /// <summary>Puts a stored record into the SQLite store as the earlier version wrote it (table as SqliteGrainStorage makes it).</summary>
    static async Task Store(string database, string grainId, string stateName, string file, IReadOnlyDictionary<string, string> placeholders)
    {
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Stored", file));
        foreach (var (key, value) in placeholders) json = json.Replace(key, value);
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS grain_state (grain_id TEXT NOT NULL, state_name TEXT NOT NULL, etag TEXT NOT NULL, payload BLOB NOT NULL,
                PRIMARY KEY (grain_id, state_name));
            INSERT INTO grain_state (grain_id, state_name, etag, payload) VALUES ($grain, $state, 'v1', $payload);
            """;
        command.Parameters.AddWithValue("$grain", grainId);
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$payload", System.Text.Encoding.UTF8.GetBytes(json));
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_completed_study_shows_its_trials_recipes_and_confirmed_answer()
    {
        var status = await cluster.Grains.GetGrain<IStudyGrain>("legacy1").GetStatus();

        Assert.Equal((StudyState.Completed, 7, 3), (status.State, status.Trials.Count, status.TrialBudget));
        // The request's old training settings became its recipe.
        Assert.Equal((60, 3e-4, 8, 48, 7), (status.Recipe.Steps, status.Recipe.LearningRate, status.Recipe.BatchSize, status.Recipe.MaxLength, status.Recipe.Seed));
        Assert.Equal(("bfloat16", true, 4, 8.0, "q_proj,v_proj"),
            (status.Recipe.Dtype, status.Recipe.GradientCheckpointing, status.Recipe.LoraRank, status.Recipe.LoraAlpha, status.Recipe.LoraTargets));
        // Each trial's objective, learning rate and seed became its recipe.
        Assert.Equal(["nll", "power:10", "top-p:0.3", "nll", "nll", "power:10", "power:10"], status.Trials.Select(t => t.Objective));
        Assert.Equal(1.2e-5, status.Trials[2].LearningRate);
        Assert.Equal([7, 7, 7, 8, 9, 8, 9], status.Trials.Select(t => t.Seed));
        Assert.Equal([TrialRunState.Completed, TrialRunState.Completed, TrialRunState.Pruned], status.Trials.Take(3).Select(t => t.State));
        Assert.Equal(["failed: silo 127.0.0.1:11112@2 is gone", "completed"], status.Trials[0].Attempts.Select(a => a.Outcome));
        Assert.Equal(0.47, status.Best!.Value);
        // The confirmation is recomputed from the stored trials, and the answer is the confirmation's.
        Assert.Equal(("power:10", true), (status.Answer!.Objective, status.Answer.Confirmed));
        Assert.Equal(0.06, status.Answer.Gain!.Value, 1e-9);
        Assert.Equal(["nll @ lr 0.0003", "power:10 @ lr 0.0003"], status.Confirmation!.Configurations.Select(c => c.Name));

        var json = JsonDocument.Parse(JsonSerializer.Serialize(SearchStatusView.ToJson(status), JsonOutput.Options)).RootElement;
        Assert.Equal(("bfloat16", 4), (json.GetProperty("dtype").GetString(), json.GetProperty("lora_rank").GetInt32()));
    }

    [Fact]
    public async Task A_running_study_stores_its_trials_apart_reruns_the_lost_attempt_and_finishes()
    {
        var study = cluster.Grains.GetGrain<IStudyGrain>("legacy2");
        // Registered as unfinished by nobody (the old registry is not stored here): its rounds are its own timer's.
        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(60));

        Assert.Equal(StudyState.Completed, status.State);
        Assert.Equal(4, status.Trials.Count);
        Assert.Equal(0.3, status.Trials[0].Value);
        Assert.Equal(["failed: silo 127.0.0.1:1@1 is gone", "completed"], status.Trials[1].Attempts.Select(a => a.Outcome));
        Assert.Equal((8, 32, 1e-3), (status.Trials[3].Recipe.Steps, status.Trials[3].Recipe.MaxLength, status.Recipe.LearningRate));

        // Reloaded from the store (another activation), it reads the same from the trials stored apart.
        await cluster.DisposeAsync();
        cluster = await TestCluster.Start(data.ClusterData, "simulated:2");
        var again = await cluster.Grains.GetGrain<IStudyGrain>("legacy2").GetStatus();
        Assert.Equal(status.Trials.Select(t => (t.Objective, t.Value, t.State)), again.Trials.Select(t => (t.Objective, t.Value, t.State)));
    }

    [Fact]
    public async Task A_completed_study_of_the_study_models_first_version_shows_its_trials_curves_and_answer()
    {
        var status = await cluster.Grains.GetGrain<IStudyGrain>("split1").GetStatus();

        Assert.Equal((StudyState.Completed, 10, 6), (status.State, status.Trials.Count, status.TrialBudget));
        Assert.Equal(TrialRunState.Pruned, status.Trials[5].State);
        Assert.Equal(4, status.Trials.Count(t => t.Role == TrialRoles.Confirm));
        // The intermediate values stored beside the curve are the curve's values now.
        Assert.Equal([(2, 0.4407673101300496), (5, 0.550959137662562), (8, 0.6611509651950744)], status.Trials[3].Intermediate);
        Assert.Equal([2], status.Trials[5].Intermediate.Select(p => p.Step));
        var answer = status.Answer!;
        Assert.Equal(("bottom-p:0.8999", true), (answer.Objective, answer.Confirmed));
        Assert.Equal(0.6611509651950744 - 0.5664913841684335, answer.Gain!.Value, 1e-9);
    }

    [Fact]
    public async Task A_running_study_of_the_study_models_first_version_keeps_its_finished_trials_reruns_the_lost_ones_and_finishes()
    {
        var status = await Studies.WaitUntilFinished(cluster.Grains.GetGrain<IStudyGrain>("split2"), TimeSpan.FromSeconds(60));

        Assert.Equal((StudyState.Completed, 4), (status.State, status.Trials.Count));
        Assert.Equal([0.5664913841684335, 0.6610299262870039], status.Trials.Take(2).Select(t => t.Value!.Value));
        Assert.All(status.Trials.Take(2), t => Assert.Single(t.Attempts));
        Assert.All(status.Trials.Skip(2), t =>
        {
            Assert.Equal(TrialRunState.Completed, t.State);
            Assert.StartsWith("failed: silo 127.0.0.1:25287@155083255 is gone", t.Attempts[0].Outcome);
            Assert.Equal([2, 4, 6, 8], t.Intermediate.Select(p => p.Step));
        });
    }

    [Fact]
    public async Task An_attempts_record_loads_with_its_outcome()
    {
        var services = cluster.Cluster.Silos[0].ServiceProvider;
        var stored = new Stored<Trials.TrialGrainState>();
        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Cluster);
        await storage.ReadStateAsync("attempt", GrainId.Parse("trial/legacy1|1|1|127.0.0.1:11111@1"), stored);
        Assert.True(stored.RecordExists);
        Assert.Equal((TrialRunState.Completed, 0.47, "bfloat16"), (stored.State!.Outcome!.State, stored.State.Outcome.Value, stored.State.Outcome.WeightDtype));
        Assert.Equal("legacy1", stored.State.Spec!.Study);
    }

    [Fact]
    public async Task Best_and_continuum_read_the_old_backbone_and_continuum_records()
    {
        var best = BestCommand.ToJson((await cluster.Grains.GetGrain<IBackboneGrain>("tiny").Get())!);
        Assert.Equal(("power:10", 0.06), (best.Results[0].Objective, best.Results[0].Gain));
        Assert.Equal("power:10", best.Results[0].Confirmation!.WinnerObjective);
        var entries = await cluster.Grains.GetGrain<IContinuumGrain>(0).List();
        Assert.Equal(("tiny", "power:10", true), (entries[0].Backbone, entries[0].Winner, entries[0].Confirmed));
        Assert.Equal(0.62, entries[0].Probe!.MeanP);
        // Its point moved out of the continuum's record into one of its own, which the record names.
        var storage = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Cluster);
        var record = new Stored<Continuum.ContinuumState>();
        await storage.ReadStateAsync("continuum", GrainId.Parse("continuum/0"), record);
        Assert.Empty(record.State!.Entries);
        Assert.Equal(["legacy1"], record.State.Studies);
        var point = new Stored<ContinuumEntry>();
        await storage.ReadStateAsync("point", GrainId.Create("bnll-point", "legacy1"), point);
        Assert.Equal("power:10", point.State!.Winner);
    }
}
