using System.Text.Json.Nodes;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Model;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Checkpoints;

/// <summary>
/// What `bnll backbone add` relies on: <see cref="Backbone.Describe"/> reads the weights' headers
/// (never the weights) and refuses a folder whose weights cannot load — a truncated file, weights
/// of another shape than config.json says, a dtype it cannot read, a shard the index names wrongly —
/// with the tensor and the file named.
/// </summary>
public class BackboneFolderCheckTests
{
    static string Weights(TempDirectory dir) => dir.File(Checkpoint.WeightsFileName);

    static void SaveBackbone(TempDirectory dir)
    {
        using var model = Create(Gqa);
        Backbone.Save(dir.Path, model, new BackboneInfo(BackboneInfo.ByteTokenizer, null));
    }

    [Fact]
    public void A_whole_folder_is_described()
    {
        using var dir = new TempDirectory();
        SaveBackbone(dir);
        var (config, info) = Backbone.Describe(dir.Path);
        Assert.Equal(Gqa, config);
        Assert.Equal(BackboneInfo.ByteTokenizer, info.Tokenizer);
    }

    [Fact]
    public void A_truncated_weights_file_is_refused_naming_the_file_and_a_tensor_past_its_end()
    {
        using var dir = new TempDirectory();
        SaveBackbone(dir);
        var length = new FileInfo(Weights(dir)).Length;
        using (var file = File.OpenWrite(Weights(dir))) file.SetLength(length - 1000);
        var error = Assert.Throws<InvalidDataException>(() => Backbone.Describe(dir.Path));
        Assert.StartsWith($"{Weights(dir)}: tensor '", error.Message);
        Assert.Contains("outside the", error.Message);
        Assert.Contains("the file is truncated or its header is wrong", error.Message);

        using (var file = File.OpenWrite(Weights(dir))) file.SetLength(5);
        Assert.Contains("too short for a safetensors header", Assert.Throws<InvalidDataException>(() => Backbone.Describe(dir.Path)).Message);
    }

    [Fact]
    public void Weights_of_another_shape_than_the_config_are_refused_naming_the_tensor()
    {
        using var dir = new TempDirectory();
        SaveBackbone(dir);
        File.WriteAllText(dir.File(Checkpoint.ConfigFileName), (Gqa with { IntermediateSize = Gqa.IntermediateSize * 2 }).ToJson());
        var error = Assert.Throws<InvalidDataException>(() => Backbone.Describe(dir.Path));
        Assert.Contains($"{Weights(dir)}: tensor 'model.layers.0.mlp.gate_proj.weight' has shape [{Gqa.IntermediateSize}, 32], " +
            $"the model expects [{Gqa.IntermediateSize * 2}, 32]", error.Message);

        File.WriteAllText(dir.File(Checkpoint.ConfigFileName), (Gqa with { Layers = 3 }).ToJson());
        Assert.Contains("missing tensor 'model.layers.2.input_layernorm.weight'", Assert.Throws<InvalidDataException>(() => Backbone.Describe(dir.Path)).Message);
    }

    [Fact]
    public void A_tensor_in_a_dtype_that_cannot_be_read_is_refused()
    {
        using var dir = new TempDirectory();
        SaveBackbone(dir);
        // Rewrite the header with norm weights declared as 4-byte integers: same sizes, another dtype.
        var bytes = File.ReadAllBytes(Weights(dir));
        var headerLength = BitConverter.ToInt64(bytes, 0);
        var header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        var edited = header.Replace("\"model.norm.weight\":{\"dtype\":\"F32\"", "\"model.norm.weight\":{\"dtype\":\"I32\"");
        Assert.NotEqual(header, edited);
        File.WriteAllBytes(Weights(dir), [.. bytes[..8], .. System.Text.Encoding.UTF8.GetBytes(edited), .. bytes[(8 + (int)headerLength)..]]);
        var error = Assert.Throws<InvalidDataException>(() => Backbone.Describe(dir.Path));
        Assert.Contains($"{Weights(dir)}: tensor 'model.norm.weight' has dtype I32", error.Message);
    }

    [Fact]
    public void Shards_are_checked_through_their_index()
    {
        using var dir = new TempDirectory();
        SaveBackbone(dir);
        // The same weights as two shards and an index, as Hugging Face stores large models.
        using (var weights = CheckpointWeights.Open(dir.Path))
        {
            var names = weights.Tensors.Keys.Order().ToList();
            var shards = new[] { names[..(names.Count / 2)], names[(names.Count / 2)..] };
            var map = new JsonObject();
            for (var i = 0; i < 2; i++)
            {
                var shard = $"model-0000{i + 1}-of-00002.safetensors";
                var tensors = shards[i].Select(n => (n, weights.ReadFloat32(n))).ToList();
                SafeTensorsFile.Write(dir.File(shard), tensors);
                foreach (var (_, t) in tensors) t.Dispose();
                foreach (var n in shards[i]) map[n] = shard;
            }
            File.WriteAllText(dir.File(CheckpointWeights.IndexFileName), new JsonObject { ["weight_map"] = map }.ToJsonString());
        }
        File.Delete(Weights(dir));
        Assert.Equal(Gqa, Backbone.Describe(dir.Path).Config);

        var second = dir.File("model-00002-of-00002.safetensors");
        using (var file = File.OpenWrite(second)) file.SetLength(file.Length - 8);
        var error = Assert.Throws<InvalidDataException>(() => Backbone.Describe(dir.Path));
        Assert.StartsWith($"{second}: tensor '", error.Message);

        File.Delete(second);
        var missing = Assert.Throws<FileNotFoundException>(() => Backbone.Describe(dir.Path));
        Assert.Contains("model-00002-of-00002.safetensors, which is missing", missing.Message);
    }
}
