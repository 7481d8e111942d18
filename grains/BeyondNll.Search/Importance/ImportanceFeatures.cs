using BeyondNll.Search.Spaces;

namespace BeyondNll.Search.Importance;

/// <summary>
/// One input of the importance forest: a parameter of the search space on the scale the sampler
/// searches it (log10 for a log parameter), over the whole domain the space gives it — fANOVA
/// averages over that domain, so its bounds matter, not only the values tried.
/// </summary>
/// <param name="Choices">A categorical parameter's number of choices (its values are choice indices); 0 for a numeric one.</param>
public sealed record ImportanceFeature(string Name, double Low, double High, int Choices)
{
    public bool IsCategorical => Choices > 0;

    /// <summary>A categorical's choices are split as sets (bit masks), so at most this many.</summary>
    public const int MaxChoices = 64;

    /// <summary>The feature of a parameter. A categorical with more than <see cref="MaxChoices"/> choices is taken in index order, as a number.</summary>
    public static ImportanceFeature Of(ParameterSpec p) => p.Kind switch
    {
        ParameterKind.Categorical when p.Choices.Count <= MaxChoices => new(p.Name, 0, p.Choices.Count, p.Choices.Count),
        ParameterKind.Categorical => new(p.Name, 0, p.Choices.Count - 1, 0),
        _ when p.Log => new(p.Name, Math.Log10(p.Low), Math.Log10(p.High), 0),
        _ => new(p.Name, p.Low, p.High, 0),
    };

    /// <summary>An internal value (a number, or a choice index) on this feature's scale.</summary>
    public static double Encode(ParameterSpec p, double value) =>
        p.Kind != ParameterKind.Categorical && p.Log ? Math.Log10(value) : value;
}
