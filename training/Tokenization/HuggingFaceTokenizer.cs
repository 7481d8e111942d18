using System.Text.Json;
using System.Text.Json.Nodes;

namespace BeyondNll.Training.Tokenization;

/// <summary>
/// The tokenizer of a Hugging Face model folder: <c>tokenizer.json</c> (byte-level BPE as in Llama 3
/// and Qwen2, with its normalizer, pre-tokenizer regex and added/special tokens) run by the
/// reference Rust <c>tokenizers</c> library through Tokenizers.DotNet, so ids are those that
/// <c>transformers</c> produces; <c>tokenizer_config.json</c> names the end-of-sequence and padding
/// tokens (falling back to <c>config.json</c>'s <c>eos_token_id</c>).
/// </summary>
/// <remarks>
/// <see cref="Encode"/> gives the ids of the text alone, like <c>encode(text, add_special_tokens=False)</c>:
/// the post-processor's tokens (Llama 3's &lt;|begin_of_text|&gt;) are stripped, because prompt and
/// response are encoded separately and a BOS before the response would be wrong. Special tokens
/// written in the text (&lt;|im_start|&gt;) are still recognised as such.
/// </remarks>
public sealed class HuggingFaceTokenizer : ITokenizer, IDisposable
{
    public const string FileName = "tokenizer.json";
    public const string ConfigFileName = "tokenizer_config.json";

    readonly Tokenizers.DotNet.Tokenizer native;
    readonly int[] prefix, suffix;   // what the post-processor puts around any text
    readonly Dictionary<int, string> addedText;

    HuggingFaceTokenizer(Tokenizers.DotNet.Tokenizer native, int vocabSize, int eosId, int padId,
        IReadOnlyDictionary<string, int> specialTokens)
    {
        this.native = native;
        (VocabSize, EosId, PadId, SpecialTokens) = (vocabSize, eosId, padId, specialTokens);
        (prefix, suffix) = PostProcessorTokens();
        addedText = specialTokens.ToDictionary(e => e.Value, e => e.Key);
    }

    public int VocabSize { get; }
    public int PadId { get; }
    public int EosId { get; }

    /// <summary>The added tokens of tokenizer.json (special or not), by their text.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>
    /// Loads <c>tokenizer.json</c> from <paramref name="directory"/>; <paramref name="eosIdFromConfig"/>
    /// is config.json's <c>eos_token_id</c>, used when tokenizer_config.json names no EOS token.
    /// Throws <see cref="FileNotFoundException"/> or <see cref="InvalidDataException"/> naming the problem.
    /// </summary>
    public static HuggingFaceTokenizer Load(string directory, int? eosIdFromConfig = null)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing", path);
        var (vocabSize, vocab, added) = ReadVocabulary(path);

        int? Id(string? token, string key) => token is null ? null
            : added.TryGetValue(token, out var a) ? a
            : vocab.TryGetValue(token, out var v) ? v
            : throw new InvalidDataException($"{Path.Combine(directory, ConfigFileName)}: {key} '{token}' is not in {FileName}");

        var config = ReadConfig(directory);
        int eos = Id(TokenText(config, "eos_token"), "eos_token") ?? eosIdFromConfig
                  ?? throw new InvalidDataException($"{directory}: no end-of-sequence token: neither {ConfigFileName} (eos_token) nor config.json (eos_token_id) names one");
        // No padding token (Llama 3): EOS pads; padded positions never carry loss.
        int pad = Id(TokenText(config, "pad_token"), "pad_token") ?? eos;
        foreach (var (name, id) in new[] { ("eos", eos), ("pad", pad) })
            if (id < 0 || id >= vocabSize)
                throw new InvalidDataException($"{directory}: the {name} token id {id} is outside the tokenizer's {vocabSize} ids");

        Tokenizers.DotNet.Tokenizer native;
        try
        {
            native = new Tokenizers.DotNet.Tokenizer(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: the tokenizers library cannot load it: {e.Message}", e);
        }
        return new HuggingFaceTokenizer(native, vocabSize, eos, pad, added);
    }

    public int[] Encode(string text)
    {
        var ids = Array.ConvertAll(native.Encode(text), id => (int)id);
        return Strip(ids);
    }

    /// <summary>
    /// The text of the ids, special tokens included as written (the library's decoder would drop
    /// them): runs of ordinary ids are decoded by the library, added tokens are their text.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        var text = new System.Text.StringBuilder();
        var run = new List<uint>();
        void Flush()
        {
            if (run.Count > 0) text.Append(native.Decode(run.ToArray()));
            run.Clear();
        }
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside [0, {VocabSize})");
            if (addedText.TryGetValue(id, out var added))
            {
                Flush();
                text.Append(added);
            }
            else run.Add((uint)id);
        }
        Flush();
        return text.ToString();
    }

    int[] Strip(int[] ids)
    {
        int start = prefix.Length > 0 && ids.AsSpan().StartsWith(prefix) ? prefix.Length : 0;
        int end = suffix.Length > 0 && ids.Length - start >= suffix.Length && ids.AsSpan().EndsWith(suffix) ? ids.Length - suffix.Length : ids.Length;
        return start == 0 && end == ids.Length ? ids : ids[start..end];
    }

    // The post-processor's tokens are what an empty text encodes to; which of them come before the
    // text and which after shows in the encoding of a one-letter text.
    (int[] Prefix, int[] Suffix) PostProcessorTokens()
    {
        var empty = Array.ConvertAll(native.Encode(""), id => (int)id);
        if (empty.Length == 0) return ([], []);
        var letter = Array.ConvertAll(native.Encode("a"), id => (int)id);
        for (int k = empty.Length; k >= 0; k--)
            if (letter.AsSpan().StartsWith(empty.AsSpan(0, k)) && letter.AsSpan().EndsWith(empty.AsSpan(k)))
                return (empty[..k], empty[k..]);
        return (empty, []);
    }

    static (int VocabSize, Dictionary<string, int> Vocab, Dictionary<string, int> Added) ReadVocabulary(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var json = JsonDocument.Parse(stream);
            var root = json.RootElement;
            var model = root.GetProperty("model");
            var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type != "BPE")
                throw new InvalidDataException($"{path}: model type '{type}' is not supported; byte-level BPE tokenizers ('BPE') are");
            var vocab = new Dictionary<string, int>();
            foreach (var entry in model.GetProperty("vocab").EnumerateObject()) vocab[entry.Name] = entry.Value.GetInt32();
            var added = new Dictionary<string, int>();
            if (root.TryGetProperty("added_tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Array)
                foreach (var token in tokens.EnumerateArray())
                    added[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            var maxId = vocab.Values.Concat(added.Values).DefaultIfEmpty(-1).Max();
            if (maxId < 0) throw new InvalidDataException($"{path}: the vocabulary is empty");
            return (maxId + 1, vocab, added);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a valid tokenizer.json: {e.Message}", e);
        }
    }

    static JsonObject? ReadConfig(string directory)
    {
        var path = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                   ?? throw new InvalidDataException($"{path}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }
    }

    // A token in tokenizer_config.json is a string or an AddedToken object {"content": ...}.
    static string? TokenText(JsonObject? config, string key) => config?[key] switch
    {
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonObject token => token["content"]?.GetValue<string>(),
        _ => null,
    };

    public void Dispose() => native.Dispose();
}
