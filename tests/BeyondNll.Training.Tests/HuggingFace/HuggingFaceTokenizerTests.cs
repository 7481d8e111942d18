using System.Text.Json;
using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Tests.HuggingFace;

[Collection(HfReferenceCollection.Name)]
public class HuggingFaceTokenizerTests
{
    sealed record Case(string Text, int[] Ids);

    static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    [Fact]
    public void Ids_equal_those_of_the_reference_javascript_tokenizer_on_the_corpus()
    {
        HfReference.RequireTokenizerPackage();
        var output = HfReference.Run("node", [Path.Combine(HfReference.ScriptsFolder, "token_ids.mjs")], "node (apt-get install nodejs)");
        var cases = JsonSerializer.Deserialize<Case[]>(output, Json)!;
        Assert.True(cases.Length >= 30, $"the corpus has {cases.Length} strings");
        Assert.Contains(cases, c => c.Ids.Contains(151644));   // <|im_start|> parsed as one special token
        Assert.Contains(cases, c => c.Ids.Length > 0 && c.Ids.All(id => id < 151643) && c.Text.Any(ch => ch > 0x3000));

        using var tokenizer = HuggingFaceTokenizer.Load(HfReference.QwenTokenizerFolder);
        var mismatches = cases
            .Select(c => (c.Text, Expected: c.Ids, Actual: tokenizer.Encode(c.Text)))
            .Where(c => !c.Expected.SequenceEqual(c.Actual))
            .Select(c => $"{JsonSerializer.Serialize(c.Text)}: expected [{string.Join(",", c.Expected)}], got [{string.Join(",", c.Actual)}]")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Special_tokens_and_vocabulary_come_from_the_tokenizer_files()
    {
        HfReference.RequireTokenizerPackage();
        using var tokenizer = HuggingFaceTokenizer.Load(HfReference.QwenTokenizerFolder);
        Assert.Equal(151669, tokenizer.VocabSize);                 // 151,643 BPE tokens + 26 added
        Assert.Equal(151645, tokenizer.EosId);                     // tokenizer_config.json: eos_token <|im_end|>
        Assert.Equal(151643, tokenizer.PadId);                     // pad_token <|endoftext|>
        Assert.Equal(151644, tokenizer.SpecialTokens["<|im_start|>"]);
    }

    [Fact]
    public void Decoding_gives_back_the_text()
    {
        HfReference.RequireTokenizerPackage();
        using var tokenizer = HuggingFaceTokenizer.Load(HfReference.QwenTokenizerFolder);
        foreach (var text in new[] { "def f(x):\n    return x ** 2\n", "naïve café 日本語 🙂", "<|im_start|>user\nhi<|im_end|>" })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([tokenizer.VocabSize]));
    }

    [Fact]
    public void Without_an_eos_token_anywhere_loading_fails_naming_it()
    {
        HfReference.RequireTokenizerPackage();
        using var dir = new TempFolder();
        File.Copy(Path.Combine(HfReference.QwenTokenizerFolder, "tokenizer.json"), dir.File("tokenizer.json"));
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceTokenizer.Load(dir.Path));
        Assert.Contains("end-of-sequence", e.Message);
        // config.json's eos_token_id serves when tokenizer_config.json is absent; EOS then pads.
        using var tokenizer = HuggingFaceTokenizer.Load(dir.Path, eosIdFromConfig: 151643);
        Assert.Equal((151643, 151643), (tokenizer.EosId, tokenizer.PadId));
    }

    [Fact]
    public void A_tokenizer_config_naming_an_unknown_token_is_refused()
    {
        HfReference.RequireTokenizerPackage();
        using var dir = new TempFolder();
        File.Copy(Path.Combine(HfReference.QwenTokenizerFolder, "tokenizer.json"), dir.File("tokenizer.json"));
        File.WriteAllText(dir.File("tokenizer_config.json"), """{"eos_token": {"content": "<|no_such_token|>"}}""");
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceTokenizer.Load(dir.Path));
        Assert.Contains("<|no_such_token|>", e.Message);
    }
}
