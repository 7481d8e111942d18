namespace BeyondNll.Training.Synthetic;

/// <summary>
/// The fixed letter substitution of the <c>cipher</c> task: knowledge no pretrained model has,
/// so that a backbone's prior on it comes only from the pretraining it was given here.
/// </summary>
public static class SubstitutionCipher
{
    /// <summary>
    /// Key[i] replaces the i-th letter. A random permutation of a–z without fixed points (no
    /// letter stands for itself), written out rather than derived from a seeded Random, whose
    /// sequence .NET does not promise to keep across versions.
    /// </summary>
    public const string Key = "rgtskpmahicdevxlwjzyfoqnbu";

    /// <summary>Replaces each lowercase letter by its key letter; other characters pass through.</summary>
    public static string Encipher(string text) =>
        string.Create(text.Length, text, (letters, source) =>
        {
            for (int i = 0; i < source.Length; i++)
                letters[i] = source[i] is >= 'a' and <= 'z' ? Key[source[i] - 'a'] : source[i];
        });
}
