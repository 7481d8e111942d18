namespace BeyondNll.Training.Tokenization;

/// <summary>Maps text to token ids and back, with the two special ids the trainer needs.</summary>
public interface ITokenizer
{
    /// <summary>Ids are in [0, VocabSize); the model's embedding and output layers have this size.</summary>
    int VocabSize { get; }

    /// <summary>Fills batch rows to a common length; never carries loss.</summary>
    int PadId { get; }

    /// <summary>Ends every response, so the model learns where to stop.</summary>
    int EosId { get; }

    int[] Encode(string text);

    string Decode(IEnumerable<int> ids);
}
