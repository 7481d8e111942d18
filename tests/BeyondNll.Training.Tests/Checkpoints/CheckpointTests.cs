using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Model;
using TorchSharp;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Checkpoints;

public class CheckpointTests
{
    public static TheoryData<string> Configs => ["tiny", "gqa-tied-biased"];

    static DecoderConfig Named(string name) => name == "tiny"
        ? DecoderConfig.Tiny(maxPositions: 16)
        : Gqa with { TieEmbeddings = true, AttentionBias = true };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Save_then_load_gives_identical_logits(string name)
    {
        var config = Named(name);
        using var dir = new TempDirectory();
        using var model = Create(config);
        Checkpoint.Save(model, dir.Path);
        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());

        using var loaded = Checkpoint.Load(dir.Path);
        Assert.Equal(config, loaded.Config);
        using var ids = RandomIds(config, 2, 10);
        Assert.True(Identical(model.forward(ids), loaded.forward(ids)));
    }

    [Fact]
    public void Saving_again_replaces_the_checkpoint()
    {
        using var dir = new TempDirectory();
        using var first = Create(Gqa, seed: 1);
        using var second = Create(Gqa, seed: 2);
        Checkpoint.Save(first, dir.Path);
        Checkpoint.Save(second, dir.Path);
        using var loaded = Checkpoint.Load(dir.Path);
        using var ids = RandomIds(Gqa, 1, 5);
        Assert.True(Identical(second.forward(ids), loaded.forward(ids)));
    }

    /// <summary>Saves a model, then rewrites its weights file with <paramref name="edit"/> applied to the tensor list.</summary>
    static void SaveEdited(TempDirectory dir, Func<List<(string Name, Tensor Tensor)>, List<(string, Tensor)>> edit)
    {
        using var model = Create(Gqa);
        Checkpoint.Save(model, dir.Path);
        var tensors = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToList();
        SafeTensorsFile.Write(dir.File(Checkpoint.WeightsFileName), edit(tensors));
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        using var dir = new TempDirectory();
        SaveEdited(dir, ts => ts.Where(t => t.Name != "model.layers.1.mlp.up_proj.weight").ToList());
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("missing tensor 'model.layers.1.mlp.up_proj.weight'", error.Message);
    }

    [Fact]
    public void An_unexpected_tensor_is_named()
    {
        using var dir = new TempDirectory();
        SaveEdited(dir, ts => [.. ts, ("model.layers.0.self_attn.o_proj.bias", zeros(32))]);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("unexpected tensor 'model.layers.0.self_attn.o_proj.bias' of shape [32]", error.Message);
    }

    [Fact]
    public void A_shape_mismatch_names_the_tensor_and_both_shapes()
    {
        using var dir = new TempDirectory();
        SaveEdited(dir, ts => ts.Select(t => t.Name == "model.norm.weight" ? (t.Name, ones(31)) : t).ToList());
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("'model.norm.weight' has shape [31], the model expects [32]", error.Message);
    }

    [Fact]
    public void Missing_files_are_named()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(dir.Path));
        Assert.Equal(dir.File("config.json"), error.FileName);

        File.WriteAllText(dir.File("config.json"), Gqa.ToJson());
        error = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(dir.Path));
        Assert.Equal(dir.File("model.safetensors"), error.FileName);
        Assert.Contains(dir.File("model.safetensors"), error.Message);
    }

    [Fact]
    public void An_unsupported_model_type_is_named()
    {
        using var dir = new TempDirectory();
        using var model = Create(Gqa);
        Checkpoint.Save(model, dir.Path);
        File.WriteAllText(dir.File("config.json"), Gqa.ToJson().Replace("\"llama\"", "\"gpt2\""));
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("gpt2", error.Message);
    }
}
