using BeyondNll.Training.Data;

namespace BeyondNll.Training.Synthetic;

/// <summary>
/// A task with a known right answer, for studying objectives without external data: ASCII only
/// and short enough to fit sequences of 64 to 128 byte tokens.
/// </summary>
public interface ISyntheticTask
{
    /// <summary>The name the CLI and the registry know it by.</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Every sample is drawn from <paramref name="rng"/> alone, so a seed fixes a data set.</summary>
    SftExample Sample(Random rng);

    /// <summary>The characters a response is made of; noise swaps one of them for another.</summary>
    string ResponseAlphabet { get; }
}
