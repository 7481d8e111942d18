namespace BeyondNll.Search.Trials;

/// <summary>Whether smaller or larger objective values are better.</summary>
public enum StudyDirection
{
    Minimize,
    Maximize,
}

public static class StudyDirectionExtensions
{
    /// <summary>
    /// +1 to minimise, -1 to maximise: samplers and pruners multiply values by it and then
    /// always minimise, so no comparison needs to know the direction.
    /// </summary>
    public static double Sign(this StudyDirection direction) => direction == StudyDirection.Minimize ? 1.0 : -1.0;

    /// <summary>Parses "minimize"/"maximize" (also "min"/"max"), ignoring case.</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static StudyDirection Parse(string text) => text.ToLowerInvariant() switch
    {
        "minimize" or "minimise" or "min" => StudyDirection.Minimize,
        "maximize" or "maximise" or "max" => StudyDirection.Maximize,
        _ => throw new ArgumentException($"direction must be minimize or maximize, got '{text}'"),
    };
}
