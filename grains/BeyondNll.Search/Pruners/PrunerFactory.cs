namespace BeyondNll.Search.Pruners;

/// <summary>Builds a pruner from its name, as the console and the study grain name them.</summary>
public static class PrunerFactory
{
    public static IReadOnlyList<string> Names { get; } = ["none", "median", "asha"];

    /// <param name="firstReportStep">The step of a trial's first intermediate report: ASHA's minimum resource.</param>
    /// <returns>The pruner, or null for "none".</returns>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static IPruner? Create(string name, int firstReportStep) => name switch
    {
        "none" => null,
        // A few complete trials before the median means anything.
        "median" => new MedianPruner(startupTrials: 3),
        "asha" => new AshaPruner(minResource: Math.Max(1, firstReportStep), reductionFactor: 3),
        _ => throw new ArgumentException($"unknown pruner '{name}'; choose one of {string.Join(", ", Names)}"),
    };
}
