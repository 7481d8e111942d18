using System.Text.Json.Nodes;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Model;
using BeyondNll.Training.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Tests.HuggingFace;

/// <summary>Checkpoints in Hugging Face layout against a PyTorch reference of each architecture.</summary>
[Collection(HfReferenceCollection.Name)]
public class HuggingFaceCheckpointTests(HfReference reference)
{
    const double Tolerance = 1e-4;

    public static TheoryData<string> Checkpoints => ["llama", "llama-sharded", "llama3-rope", "qwen2", "qwen2-bf16", "qwen2-151k"];

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Logits_match_the_pytorch_reference(string name)
    {
        var folder = reference.Checkpoint(name);
        using var model = Checkpoint.Load(folder);
        var (ids, expected) = Reference(folder);
        using var noGrad = no_grad();
        using var logits = model.forward(ids);
        Assert.Equal(expected.shape, logits.shape);
        var maxDiff = (logits - expected).abs().max().item<float>();
        Assert.True(maxDiff < Tolerance, $"{name}: max |logit difference| {maxDiff:E2} ≥ {Tolerance:E0}");
        // The logits are not trivially small: a wrong layer would show far above the tolerance.
        Assert.True(expected.abs().max().item<float>() > 0.5);
    }

    [Fact]
    public void The_configs_are_read_as_written()
    {
        using var llama = Checkpoint.Load(reference.Checkpoint("llama"));
        Assert.Equal(new DecoderConfig(VocabSize: 256, HiddenSize: 64, Layers: 2, Heads: 4, KvHeads: 2, IntermediateSize: 96,
            MaxPositions: 64, RopeTheta: 10000, RmsNormEps: 1e-5, TieEmbeddings: false, AttentionBias: false), llama.Config);
        using var qwen = Checkpoint.Load(reference.Checkpoint("qwen2"));
        Assert.Equal(new DecoderConfig(VocabSize: 256, HiddenSize: 64, Layers: 2, Heads: 4, KvHeads: 2, IntermediateSize: 128,
            MaxPositions: 64, RopeTheta: 1e6, RmsNormEps: 1e-6, TieEmbeddings: true, AttentionBias: true), qwen.Config);
    }

    [Fact]
    public void Llama3_rope_scaling_is_read_and_changes_the_logits()
    {
        using var scaled = Checkpoint.Load(reference.Checkpoint("llama3-rope"));
        Assert.Equal(new Llama3RopeScaling(8, 1, 4, 16), scaled.Config.RopeScaling);
        Assert.Equal(scaled.Config, DecoderConfig.FromJson(scaled.Config.ToJson()));
        // Same weights as "llama" but another theta and the scaling: the logits must differ, or the test above proves nothing about it.
        var (ids, _) = Reference(reference.Checkpoint("llama3-rope"));
        using var plain = new DecoderLM(scaled.Config with { RopeScaling = null });
        using (no_grad())
        {
            foreach (var ((_, a), (_, b)) in plain.named_parameters().Zip(scaled.named_parameters())) a.copy_(b);
            Assert.True((plain.forward(ids) - scaled.forward(ids)).abs().max().item<float>() > 1e-2);
        }
    }

    [Fact]
    public void Sharded_weights_load_the_same_as_one_file()
    {
        using var single = Checkpoint.Load(reference.Checkpoint("llama"));
        using var sharded = Checkpoint.Load(reference.Checkpoint("llama-sharded"));
        foreach (var ((name, a), (_, b)) in single.named_parameters().Zip(sharded.named_parameters()))
            Assert.True(a.equal(b).all().item<bool>(), name);
    }

    [Fact]
    public void A_whole_folder_loads_as_a_backbone_with_its_tokenizer()
    {
        using var backbone = Backbone.Load(reference.Checkpoint("qwen2-151k"));
        Assert.Equal(BackboneInfo.HuggingFaceTokenizer, backbone.Info.Tokenizer);
        Assert.IsType<HuggingFaceTokenizer>(backbone.Tokenizer);
        Assert.Equal(151936, backbone.Model.Config.VocabSize);
        Assert.Equal([9707, 1879], backbone.Tokenizer.Encode("Hello world"));
        var (config, info) = Backbone.Describe(reference.Checkpoint("qwen2-151k"));
        Assert.Equal(backbone.Model.Config, config);
        Assert.Equal(BackboneInfo.HuggingFace, info);
    }

    [Fact]
    public void A_fine_tuned_model_is_saved_back_in_the_same_layout()
    {
        using var dir = new TempFolder();
        var outDir = Path.Combine(dir.Path, "tuned");
        using var backbone = Backbone.Load(reference.Checkpoint("qwen2-151k"));
        using (no_grad()) backbone.Model.parameters().First().add_(0.25);
        backbone.SaveAs(outDir);

        Assert.Equal(["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"],
            Directory.GetFiles(outDir).Select(Path.GetFileName).Order());
        Assert.Equal(File.ReadAllText(Path.Combine(reference.Checkpoint("qwen2-151k"), "config.json")), File.ReadAllText(Path.Combine(outDir, "config.json")));
        using var again = Backbone.Load(outDir);
        foreach (var ((name, a), (_, b)) in backbone.Model.named_parameters().Zip(again.Model.named_parameters()))
            Assert.True(a.equal(b).all().item<bool>(), name);
        Assert.Throws<ArgumentException>(() => backbone.SaveAs(reference.Checkpoint("qwen2-151k")));
    }

    [Fact]
    public void Unsupported_model_types_are_refused_by_name()
    {
        using var dir = CopyOf("llama");
        EditConfig(dir.Path, c => c["model_type"] = "mistral");
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("'mistral'", e.Message);
        Assert.Contains("'mistral'", Assert.Throws<InvalidDataException>(() => Backbone.Describe(dir.Path)).Message);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        using var dir = CopyOf("llama-sharded");
        // Drop one tensor from the index: the loader must miss it by name.
        EditJson(Path.Combine(dir.Path, CheckpointWeights.IndexFileName), index => index["weight_map"]!.AsObject().Remove("model.layers.1.mlp.up_proj.weight"));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", e.Message);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named()
    {
        using var dir = CopyOf("llama");
        EditConfig(dir.Path, c => c["intermediate_size"] = 128);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("'model.layers.0.mlp.gate_proj.weight' has shape [96, 64], the model expects [128, 64]", e.Message);
    }

    [Fact]
    public void A_missing_shard_or_a_wrongly_mapped_tensor_is_named()
    {
        using (var dir = CopyOf("llama-sharded"))
        {
            File.Delete(Path.Combine(dir.Path, "model-00002-of-00003.safetensors"));
            var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(dir.Path));
            Assert.Contains("model-00002-of-00003.safetensors", e.Message);
            Assert.Contains("is missing", e.Message);
        }
        using (var dir = CopyOf("llama-sharded"))
        {
            EditJson(Path.Combine(dir.Path, CheckpointWeights.IndexFileName),
                index => index["weight_map"]!["model.norm.weight"] = "model-00001-of-00003.safetensors");
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
            Assert.Contains("tensor 'model.norm.weight' is mapped to model-00001-of-00003.safetensors, which does not hold it", e.Message);
        }
    }

    [Fact]
    public void An_unexpected_tensor_is_named()
    {
        using var dir = CopyOf("qwen2");
        EditConfig(dir.Path, c => c["num_hidden_layers"] = 1);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("unexpected tensor 'model.layers.1.", e.Message);
    }

    static (Tensor Ids, Tensor Logits) Reference(string folder)
    {
        using var file = SafeTensorsFile.Open(Path.Combine(folder, "reference.safetensors"));
        return (file.ReadFloat32("input_ids").to_type(ScalarType.Int64), file.ReadFloat32("logits"));
    }

    TempFolder CopyOf(string name)
    {
        var dir = new TempFolder();
        foreach (var file in Directory.GetFiles(reference.Checkpoint(name)))
            File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        return dir;
    }

    static void EditConfig(string folder, Action<JsonObject> edit) => EditJson(Path.Combine(folder, "config.json"), edit);

    static void EditJson(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
