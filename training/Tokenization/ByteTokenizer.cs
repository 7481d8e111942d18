using System.Text;

namespace BeyondNll.Training.Tokenization;

/// <summary>
/// Byte-level tokenizer for the synthetic tasks: a token id is a UTF-8 byte value. With the
/// default vocabulary of 128 (ASCII, the vocabulary of the decoder configs) every character is
/// one token; a vocabulary of 256 takes any UTF-8 text, a non-ASCII character as several tokens.
/// Two control bytes are reserved: NUL (0) pads and ETX ("end of text", 3) ends a response.
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    public const int AsciiVocabSize = 128;
    public const int FullByteVocabSize = 256;

    public ByteTokenizer(int vocabSize = AsciiVocabSize)
    {
        if (vocabSize is not (AsciiVocabSize or FullByteVocabSize))
            throw new ArgumentOutOfRangeException(nameof(vocabSize),
                $"a byte tokenizer has {AsciiVocabSize} (ASCII) or {FullByteVocabSize} tokens, not {vocabSize}");
        VocabSize = vocabSize;
    }

    public int VocabSize { get; }

    public int PadId => 0;

    public int EosId => 3;

    /// <summary>
    /// Rejects, rather than drops or replaces, text the vocabulary cannot hold and text that
    /// contains a reserved byte: either would silently change what the model is trained on.
    /// The position in the message is the 0-based index of the character in the string.
    /// </summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length);
        Span<byte> bytes = stackalloc byte[4];
        int position = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            int count = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..count])
            {
                if (b >= VocabSize)
                    throw new ArgumentException(
                        $"character {Show(rune)} at position {position} is outside the tokenizer's " +
                        $"{VocabSize}-token vocabulary");
                if (b == PadId || b == EosId)
                    throw new ArgumentException(
                        $"character {Show(rune)} at position {position} is reserved " +
                        $"({(b == PadId ? "padding" : "end of sequence")})");
                ids.Add(b);
            }
            position += rune.Utf16SequenceLength;
        }
        return ids.ToArray();
    }

    public string Decode(IEnumerable<int> ids)
    {
        var bytes = ids.Select(id => id >= 0 && id < VocabSize
            ? (byte)id
            : throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside [0, {VocabSize})"));
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    static string Show(Rune rune) => Rune.IsControl(rune)
        ? $"U+{rune.Value:X4}"
        : $"'{rune}' (U+{rune.Value:X4})";
}
