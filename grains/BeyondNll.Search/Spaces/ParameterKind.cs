namespace BeyondNll.Search.Spaces;

/// <summary>The three kinds of parameter a search space can hold.</summary>
public enum ParameterKind
{
    /// <summary>A real number in [low, high], optionally on a log scale or on a grid of steps.</summary>
    Float,

    /// <summary>An integer in [low, high] on a grid of steps (1 by default), optionally on a log scale.</summary>
    Int,

    /// <summary>One of a list of JSON values (strings, numbers or booleans).</summary>
    Categorical,
}
