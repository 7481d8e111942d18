using System.Text.Json;
using System.Text.Json.Serialization;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Model;
using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Backbones;

/// <summary>How a synthetic backbone was made: enough to make it again.</summary>
public sealed record SyntheticOrigin(string Task, int PretrainSteps, int Seed, double TaskShare);

/// <summary>
/// What a backbone folder says about itself beyond the model checkpoint, in backbone.json: its
/// tokenizer and, for a synthetic backbone, how it was made.
/// </summary>
public sealed record BackboneInfo(string Tokenizer, SyntheticOrigin? Synthetic)
{
    public const string FileName = "backbone.json";

    /// <summary>The byte-level tokenizer with a 128-token (ASCII) vocabulary of the synthetic tasks.</summary>
    public const string ByteTokenizer = "byte";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>
/// A base model to fine-tune: a decoder checkpoint (config.json + model.safetensors) and its
/// tokenizer, loaded from one folder.
/// </summary>
public sealed class Backbone(string directory, DecoderLM model, ITokenizer tokenizer, BackboneInfo info) : IDisposable
{
    public string Directory { get; } = directory;
    public DecoderLM Model { get; } = model;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public BackboneInfo Info { get; } = info;

    public static Backbone Load(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"backbone folder '{directory}' does not exist");
        var info = ReadInfo(directory);
        var tokenizer = info.Tokenizer switch
        {
            BackboneInfo.ByteTokenizer => new ByteTokenizer(),
            var other => throw new InvalidDataException($"{Path.Combine(directory, BackboneInfo.FileName)}: unknown tokenizer '{other}'"),
        };
        var model = Checkpoint.Load(directory);
        if (model.Config.VocabSize < tokenizer.VocabSize)
            throw new InvalidDataException($"{directory}: the model's vocabulary ({model.Config.VocabSize}) is smaller than its tokenizer's ({tokenizer.VocabSize})");
        return new Backbone(directory, model, tokenizer, info);
    }

    /// <summary>Writes the checkpoint and backbone.json into <paramref name="directory"/>.</summary>
    public static void Save(string directory, DecoderLM model, BackboneInfo info)
    {
        System.IO.Directory.CreateDirectory(directory);
        Checkpoint.Save(model, directory);
        var path = Path.Combine(directory, BackboneInfo.FileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(info, BackboneInfo.Json));
        File.Move(temporary, path, overwrite: true);
    }

    static BackboneInfo ReadInfo(string directory)
    {
        var path = Path.Combine(directory, BackboneInfo.FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: a backbone folder needs backbone.json naming its tokenizer", path);
        try
        {
            return JsonSerializer.Deserialize<BackboneInfo>(File.ReadAllText(path), BackboneInfo.Json)
                   ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid backbone JSON: {e.Message}", e);
        }
    }

    public void Dispose() => Model.Dispose();
}
