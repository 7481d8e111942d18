using BeyondNll.Training.Data;
using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Tests.Tokenization;

public sealed class ByteTokenizerTests
{
    [Fact]
    public void Ascii_text_is_one_token_per_character_and_round_trips()
    {
        var tokenizer = new ByteTokenizer();
        const string text = "reverse:abcde= 347+58=~";

        var ids = tokenizer.Encode(text);

        Assert.Equal(text.Select(c => (int)c), ids);
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Equal((128, 0, 3), (tokenizer.VocabSize, tokenizer.PadId, tokenizer.EosId));
    }

    [Fact]
    public void The_full_byte_vocabulary_round_trips_any_utf8_text()
    {
        var tokenizer = new ByteTokenizer(256);
        const string text = "naïve café ∑ 🙂";

        var ids = tokenizer.Encode(text);

        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(text), ids.Length);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void A_character_outside_the_vocabulary_is_named_with_its_position()
    {
        var error = Assert.Throws<ArgumentException>(() => new ByteTokenizer().Encode("caf\u00e9!"));

        Assert.Contains("'é' (U+00E9) at position 3", error.Message);
        Assert.Contains("128-token vocabulary", error.Message);
    }

    [Theory]
    [InlineData("ab\0c", "U+0000 at position 2 is reserved (padding)")]
    [InlineData("a\u0003", "U+0003 at position 1 is reserved (end of sequence)")]
    public void Reserved_bytes_are_rejected(string text, string expected)
    {
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => new ByteTokenizer(256).Encode(text)).Message);
    }

    [Fact]
    public void Only_ascii_or_full_byte_vocabularies_exist()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteTokenizer(100));
    }

    [Fact]
    public void A_tokenized_example_ends_its_response_with_eos_and_names_a_bad_example()
    {
        var tokenizer = new ByteTokenizer();

        var tokenized = TokenizedExample.From(new SftExample("1+2=", "3"), tokenizer);
        var error = Assert.Throws<ArgumentException>(() => TokenizedExample.FromAll(
            [new SftExample("a", "b"), new SftExample("a", "ü")], tokenizer));

        Assert.Equal("1+2=".Select(c => (int)c), tokenized.PromptIds);
        Assert.Equal(['3', tokenizer.EosId], tokenized.ResponseIds);
        Assert.StartsWith("example 2: character 'ü'", error.Message);
    }
}
