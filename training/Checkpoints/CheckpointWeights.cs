using System.Text.Json;
using static TorchSharp.torch;

namespace BeyondNll.Training.Checkpoints;

/// <summary>
/// The weights of a checkpoint folder, as Hugging Face stores them: one <c>model.safetensors</c>, or
/// shards (<c>model-00001-of-00004.safetensors</c>, ...) listed by <c>model.safetensors.index.json</c>,
/// whose <c>weight_map</c> says which shard holds each tensor. As in <c>transformers</c>, a single
/// file wins over an index. Every tensor can then be read by name, whichever file holds it.
/// </summary>
public sealed class CheckpointWeights : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    readonly Dictionary<string, SafeTensorsFile> fileOf;
    readonly List<SafeTensorsFile> files;

    CheckpointWeights(string description, List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> fileOf)
    {
        (Description, this.files, this.fileOf) = (description, files, fileOf);
        Tensors = fileOf.ToDictionary(e => e.Key, e => e.Value.Tensors[e.Key]);
    }

    /// <summary>The single file's path, or the index's: where error messages point.</summary>
    public string Description { get; }

    /// <summary>Every tensor of the checkpoint by name, with its dtype and shape.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>The file that holds <paramref name="name"/>.</summary>
    public string PathOf(string name) => fileOf[name].Path;

    /// <summary>Whether <paramref name="directory"/> holds weights in either layout.</summary>
    public static bool ExistIn(string directory) =>
        File.Exists(Path.Combine(directory, SingleFileName)) || File.Exists(Path.Combine(directory, IndexFileName));

    /// <summary>
    /// Opens the weights of <paramref name="directory"/> (headers only). <see cref="FileNotFoundException"/>
    /// when there are none or a shard is missing; <see cref="InvalidDataException"/> for a malformed
    /// index, or a tensor the index places in a shard that does not hold it.
    /// </summary>
    public static CheckpointWeights Open(string directory)
    {
        var single = Path.Combine(directory, SingleFileName);
        if (File.Exists(single))
        {
            var file = SafeTensorsFile.Open(single);
            return new CheckpointWeights(single, [file], file.Tensors.Keys.ToDictionary(n => n, _ => file));
        }
        var index = Path.Combine(directory, IndexFileName);
        if (!File.Exists(index))
            throw new FileNotFoundException($"No checkpoint file {single} (nor an {IndexFileName} of shards).", single);
        return OpenSharded(directory, index);
    }

    static CheckpointWeights OpenSharded(string directory, string index)
    {
        var map = ReadWeightMap(index);
        var opened = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            var fileOf = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, shard) in map)
            {
                if (shard.Contains('/') || shard.Contains('\\') || shard is "." or "..")
                    throw new InvalidDataException($"{index}: tensor '{tensor}' is mapped to '{shard}', not a file name in the folder");
                if (!opened.TryGetValue(shard, out var file))
                {
                    var path = Path.Combine(directory, shard);
                    if (!File.Exists(path))
                        throw new FileNotFoundException($"{index}: tensor '{tensor}' is in shard {shard}, which is missing", path);
                    opened[shard] = file = SafeTensorsFile.Open(path);
                }
                if (!file.Tensors.ContainsKey(tensor))
                    throw new InvalidDataException($"{index}: tensor '{tensor}' is mapped to {shard}, which does not hold it");
                fileOf[tensor] = file;
            }
            return new CheckpointWeights(index, opened.Values.ToList(), fileOf);
        }
        catch
        {
            foreach (var file in opened.Values) file.Dispose();
            throw;
        }
    }

    static Dictionary<string, string> ReadWeightMap(string index)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(index));
            if (!json.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{index}: no \"weight_map\" object");
            return map.EnumerateObject().ToDictionary(e => e.Name,
                e => e.Value.GetString() ?? throw new InvalidDataException($"{index}: tensor '{e.Name}' is mapped to null"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{index}: not a valid index: {e.Message}", e);
        }
    }

    /// <summary>The named tensor as a new float32 CPU tensor.</summary>
    public Tensor ReadFloat32(string name) =>
        fileOf.TryGetValue(name, out var file) ? file.ReadFloat32(name)
            : throw new KeyNotFoundException($"{Description}: no tensor '{name}'.");

    public void Dispose()
    {
        foreach (var file in files) file.Dispose();
    }
}
