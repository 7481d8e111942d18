namespace BeyondNll.Search.Spaces;

/// <summary>
/// The search spaces the project ships, by name: <c>default</c> for objective search and
/// <c>paper-grid</c>, the fixed objectives of "Beyond Log Likelihood" (arXiv 2510.00526) for a
/// grid run. Objective specs are those of the training library (docs/DESIGN: nll, power:k,
/// top-p:q, bottom-p:q, top-logp:q, bottom-logp:q).
/// </summary>
public static class NamedSpaces
{
    public const string Default = "default";
    public const string PaperGrid = "paper-grid";

    /// <summary>The objective families a search chooses among; k and q exist only for the families that use them.</summary>
    public static readonly IReadOnlyList<string> Families = ["nll", "power", "top-p", "bottom-p", "top-logp", "bottom-logp"];

    /// <summary>
    /// The paper's objectives as fixed points: NLL, -p (power:1), -p^10 (power:10) and the
    /// prior-leaning thresholded variants, which train only on tokens the model already finds
    /// plausible (p ≥ q), at a low and a middle threshold. The paper does not fix one q; 0.1 and
    /// 0.5 are this project's choice, documented here so a grid run is reproducible.
    /// </summary>
    public static readonly IReadOnlyList<string> PaperObjectives =
        ["nll", "power:1", "power:10", "top-p:0.1", "top-p:0.5", "top-logp:0.1", "top-logp:0.5"];

    public static IReadOnlyList<string> Names { get; } = [Default, PaperGrid];

    /// <summary>
    /// The default learning-rate range: the default space's lr, and the span of the default rate
    /// ladder of a space without one. It is the range where no objective collapsed on the synthetic
    /// backbones (bench/rate_range.py; docs/continuum.md, "The protocol"). For a real model, set it
    /// around the rate its trainer uses: the paper trains every objective at 5e-5 (2e-5 for Llama-8B).
    /// </summary>
    public const double LearningRateLow = 1e-5, LearningRateHigh = 3e-4;

    /// <summary>
    /// Objective search: the family, k for power (log scale, 0.05 to 20: from nearly NLL to far
    /// past -p^10; negative, prior-averse k are left out), q for the thresholded families, and
    /// the learning rate, which interacts with the objective's gradient scale.
    /// </summary>
    public static SearchSpace CreateDefault()
    {
        var family = ParameterSpec.Categorical("family", Families);
        return new SearchSpace([
            family,
            ParameterSpec.Float("k", 0.05, 20, log: true, when: [When(family, "power")]),
            ParameterSpec.Float("q", 0.0, 1.0, when: [When(family, "top-p", "bottom-p", "top-logp", "bottom-logp")]),
            ParameterSpec.Float("lr", LearningRateLow, LearningRateHigh, log: true),
        ]);
    }

    /// <summary>One categorical parameter, <c>objective</c>, whose choices are the paper's objective specs.</summary>
    public static SearchSpace CreatePaperGrid() =>
        new([ParameterSpec.Categorical("objective", PaperObjectives)]);

    /// <exception cref="ArgumentException">No space has that name.</exception>
    public static SearchSpace Get(string name) => name switch
    {
        Default => CreateDefault(),
        PaperGrid => CreatePaperGrid(),
        _ => throw new ArgumentException($"no named space '{name}'; known: {string.Join(", ", Names)}"),
    };

    static ParameterCondition When(ParameterSpec parent, params string[] choices) =>
        new(parent.Name, choices.Select(c => parent.Choices.Select(j => j.GetString()).ToList().IndexOf(c)).Order().ToArray());
}
