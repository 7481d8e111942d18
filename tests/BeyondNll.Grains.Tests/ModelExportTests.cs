using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;

namespace BeyondNll.Grains.Tests;

/// <summary>`bnll export NAME --format hf --out DIR`: the winner's model, kept by the search, loads and scores in bnll and in PyTorch.</summary>
public class ModelExportTests
{
    static readonly string RepositoryRoot = typeof(ExportCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>The model's log probabilities of the text's tokens, as bnll scores them, and as PyTorch does (tests/hf/score_model.py).</summary>
    static (double[] Bnll, double[] PyTorch) Scores(string folder, string text)
    {
        using var backbone = Backbone.Load(folder);
        var scores = TextScores.Score(backbone.Model, backbone.Tokenizer, text);
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot, "tests", "hf", "score_model.py"));
        start.ArgumentList.Add(folder);
        foreach (var s in scores) start.ArgumentList.Add(s.Id.ToString());
        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEnd();
        var stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"score_model.py (needs Debian's python3-torch) failed: {stderr}");
        var torch = JsonDocument.Parse(stdout).RootElement.GetProperty("logprobs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return (scores.Skip(1).Select(s => s.LogProb!.Value).ToArray(), torch);
    }

    /// <summary>The validation NLL of a model folder, as the study's metric measured it.</summary>
    static double ValidationNll(string folder, TestData data)
    {
        using var backbone = Backbone.Load(folder);
        var evaluator = new Evaluator(backbone.Model, backbone.Tokenizer, new EvaluationOptions { Format = AnswerFormat.Parse("whole"), MaxLength = 32 });
        return evaluator.Evaluate(SftDataReader.Read(data.Val, new SftFieldMap("prompt", "response"))).MeanNll;
    }

    [Fact]
    public async Task The_winner_is_exported_and_scores_alike_in_bnll_and_pytorch_and_only_the_kept_models_remain()
    {
        using var data = new TestData(pretrainSteps: 20);
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1");
        var study = await Studies.Started(cluster.Grains, data, WorkerTests.Torch(data, "export", steps: 20, every: 10, trials: 2));
        var done = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(240));
        Assert.Equal(StudyState.Completed, done.State);
        var winner = done.WinnerTrial!.Value;
        Assert.Equal(done.Best!.Number, winner);

        // One model kept (--keep-models 1): the winner's; the other trial's is deleted.
        var other = Path.Combine(WorkerTests.TrialFolder(data, "export", 1 - winner), "model");
        await Studies.WaitFor(study, _ => !Directory.Exists(other), TimeSpan.FromSeconds(20));

        var folder = Path.Combine(data.Root, "exported");
        var export = await ModelExport.WriteAsync(cluster.Grains, done, folder, CancellationToken.None);
        Assert.Equal((winner, false), (export.Trial, export.MergedLora));
        Assert.Equal(["backbone.json", "config.json", "model.safetensors"], export.Files); // a synthetic backbone's own layout
        Assert.Equal(done.Trials[winner].Value!.Value, ValidationNll(folder, data), 6);
        var (bnll, pytorch) = Scores(folder, "12+34=46");
        Assert.Equal(bnll.Length, pytorch.Length);
        foreach (var (a, b) in bnll.Zip(pytorch)) Assert.Equal(a, b, 4);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => ModelExport.WriteAsync(cluster.Grains, done, folder, CancellationToken.None));
        Assert.Contains("exists and is not empty", e.Message);
    }

    [Fact]
    public async Task A_lora_winner_is_kept_as_adapters_and_exported_merged_into_its_backbone()
    {
        using var data = new TestData(pretrainSteps: 20);
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1");
        var request = WorkerTests.Torch(data, "lora", steps: 12, every: 6).With(r => r with { LoraRank = 4, LoraTargets = "q_proj,v_proj" });
        var done = await Studies.WaitUntilFinished(await Studies.Started(cluster.Grains, data, request), TimeSpan.FromSeconds(240));
        Assert.Equal(StudyState.Completed, done.State);
        var kept = Path.Combine(WorkerTests.TrialFolder(data, "lora", 0), "model");
        Assert.True(LoraAdapterFolder.IsAdapterFolder(kept));
        Assert.False(File.Exists(Path.Combine(kept, "model.safetensors")));

        var folder = Path.Combine(data.Root, "merged");
        var export = await ModelExport.WriteAsync(cluster.Grains, done, folder, CancellationToken.None);
        Assert.True(export.MergedLora);
        // Merging adds B·A into each float32 weight once, so the merged model agrees with the adapters to float32
        // rounding (5e-8 here), not bit for bit: a tolerance, not a rounding to 6 places that a boundary can split.
        Assert.Equal(done.Trials[0].Value!.Value, ValidationNll(folder, data), tolerance: 1e-5);
        var (bnll, pytorch) = Scores(folder, "7+5=12");
        foreach (var (a, b) in bnll.Zip(pytorch)) Assert.Equal(a, b, 4);
    }
}
