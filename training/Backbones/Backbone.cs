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

    /// <summary>A Hugging Face tokenizer.json in the folder (see <see cref="Tokenization.HuggingFaceTokenizer"/>).</summary>
    public const string HuggingFaceTokenizer = Tokenization.HuggingFaceTokenizer.FileName;

    /// <summary>What a Hugging Face model folder, which has no backbone.json, says about itself.</summary>
    public static readonly BackboneInfo HuggingFace = new(HuggingFaceTokenizer, null);

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>
/// A base model to fine-tune: a decoder checkpoint (config.json and safetensors weights) and its
/// tokenizer, loaded from one folder. Two kinds of folder: a synthetic backbone, whose
/// backbone.json names the byte tokenizer, and a Hugging Face model folder (Llama or Qwen2 layout),
/// which has tokenizer.json and no backbone.json.
/// </summary>
public sealed class Backbone(string directory, DecoderLM model, ITokenizer tokenizer, BackboneInfo info) : IDisposable
{
    public string Directory { get; } = directory;
    public DecoderLM Model { get; } = model;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public BackboneInfo Info { get; } = info;

    // Files of a Hugging Face folder that describe the model or its tokenizer, copied as they are
    // when a fine-tuned model is saved, so that the new folder loads wherever the old one did.
    static readonly string[] HuggingFaceSideFiles =
    [
        Checkpoint.ConfigFileName, "generation_config.json", Tokenization.HuggingFaceTokenizer.FileName,
        Tokenization.HuggingFaceTokenizer.ConfigFileName, "special_tokens_map.json", "vocab.json", "merges.txt",
    ];

    public static Backbone Load(string directory)
    {
        var (config, info) = Describe(directory);
        var tokenizer = OpenTokenizer(directory, info);
        try
        {
            if (config.VocabSize < tokenizer.VocabSize)
                throw new InvalidDataException($"{directory}: the model's vocabulary ({config.VocabSize}) is smaller than its tokenizer's ({tokenizer.VocabSize})");
            var model = Checkpoint.Load(directory);
            return new Backbone(directory, model, tokenizer, info);
        }
        catch
        {
            (tokenizer as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What a folder holds, from its small files and the weights' headers (no weights are read): the
    /// model's config and the backbone's description. The weights must fit the config — every tensor
    /// there, shaped as the config says, in a readable dtype — and each file must be as long as its
    /// header says (a truncated copy is refused here, not when a trial first loads it); for shards,
    /// the index must name files that hold its tensors. Throws <see cref="DirectoryNotFoundException"/>,
    /// <see cref="FileNotFoundException"/> or <see cref="InvalidDataException"/> naming what is wrong
    /// (the tensor and the file, for the weights).
    /// </summary>
    public static (DecoderConfig Config, BackboneInfo Info) Describe(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"backbone folder '{directory}' does not exist");
        var configPath = Path.Combine(directory, Checkpoint.ConfigFileName);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{directory} is not a backbone: {Checkpoint.ConfigFileName} is missing", configPath);
        if (!CheckpointWeights.ExistIn(directory))
            throw new FileNotFoundException($"{directory} is not a backbone: neither {CheckpointWeights.SingleFileName} nor {CheckpointWeights.IndexFileName} is there");
        DecoderConfig config;
        try
        {
            config = DecoderConfig.FromJson(File.ReadAllText(configPath));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{configPath}: not valid JSON: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{configPath}: {e.Message}", e);
        }
        var info = ReadInfo(directory);
        var tokenizerFile = info.Tokenizer switch
        {
            BackboneInfo.ByteTokenizer => null,
            BackboneInfo.HuggingFaceTokenizer => Path.Combine(directory, Tokenization.HuggingFaceTokenizer.FileName),
            var other => throw new InvalidDataException($"{Path.Combine(directory, BackboneInfo.FileName)}: unknown tokenizer '{other}'"),
        };
        if (tokenizerFile is not null && !File.Exists(tokenizerFile))
            throw new FileNotFoundException($"{directory} is not a backbone: {Tokenization.HuggingFaceTokenizer.FileName} is missing", tokenizerFile);
        using (var weights = CheckpointWeights.Open(directory)) Checkpoint.CheckTensors(weights, config);
        return (config, info);
    }

    static ITokenizer OpenTokenizer(string directory, BackboneInfo info) => info.Tokenizer switch
    {
        BackboneInfo.HuggingFaceTokenizer => Tokenization.HuggingFaceTokenizer.Load(directory, EosIdFromConfig(directory)),
        _ => new ByteTokenizer(),
    };

    // config.json's eos_token_id: a number, or a list of them (Llama 3.1 instruct) of which the first ends a response.
    static int? EosIdFromConfig(string directory)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory, Checkpoint.ConfigFileName)))?["eos_token_id"];
        return node switch
        {
            System.Text.Json.Nodes.JsonArray { Count: > 0 } list => list[0]!.GetValue<int>(),
            System.Text.Json.Nodes.JsonValue value when value.TryGetValue<int>(out var id) => id,
            _ => null,
        };
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

    /// <summary>
    /// Saves this backbone's model (as trained) into <paramref name="directory"/> in the layout it was
    /// loaded from. A Hugging Face folder gets model.safetensors and copies of the source folder's
    /// config, generation and tokenizer files, so it is again a Hugging Face model folder.
    /// </summary>
    public void SaveAs(string directory)
    {
        if (Info.Tokenizer != BackboneInfo.HuggingFaceTokenizer)
        {
            Save(directory, Model, Info);
            return;
        }
        if (Path.GetFullPath(directory) == Path.GetFullPath(Directory))
            throw new ArgumentException($"{directory} is the folder the backbone was loaded from; save a fine-tuned model to another folder");
        Checkpoint.Save(Model, directory);
        foreach (var name in HuggingFaceSideFiles)
        {
            var source = Path.Combine(Directory, name);
            if (File.Exists(source)) File.Copy(source, Path.Combine(directory, name), overwrite: true);
        }
    }

    static BackboneInfo ReadInfo(string directory)
    {
        var path = Path.Combine(directory, BackboneInfo.FileName);
        if (!File.Exists(path))
        {
            if (File.Exists(Path.Combine(directory, Tokenization.HuggingFaceTokenizer.FileName))) return BackboneInfo.HuggingFace;
            throw new FileNotFoundException(
                $"{path} is missing: a backbone folder needs backbone.json naming its tokenizer, or a Hugging Face {Tokenization.HuggingFaceTokenizer.FileName}", path);
        }
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

    public void Dispose()
    {
        Model.Dispose();
        (Tokenizer as IDisposable)?.Dispose();
    }
}
