using BeyondNll.Search.Samplers.Gp;
using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers;

/// <summary>Builds a sampler from its name, as the console and the study grain name them.</summary>
public static class SamplerFactory
{
    public static IReadOnlyList<string> Names { get; } = ["gp", "tpe", "random", "grid"];

    /// <summary>
    /// The sampler a search uses unless told otherwise: the GP sampler, which needs fewer trials
    /// than TPE to reach the same result at the budgets of a GPU search (docs/benchmarks.md, Samplers).
    /// </summary>
    public const string Default = "gp";

    /// <param name="constantLiar">
    /// Trials run in parallel: account for running trials, so concurrent asks spread out. TPE
    /// counts them as the worst result; the GP sampler believes its own prediction there (and
    /// its TPE, at large n, lies as TPE does).
    /// </param>
    /// <param name="multivariate">TPE only: parameters that exist together are modelled jointly.</param>
    /// <param name="startupTrials">TPE and GP: trials before the model takes over (null: TPE's 10 as Optuna's; the GP's design size).</param>
    /// <exception cref="ArgumentException">An unknown name, or a space the sampler cannot handle.</exception>
    public static ISampler Create(string name, SearchSpace space, StudyDirection direction, long seed,
        bool constantLiar = false, bool multivariate = false, TrialHistory? history = null, int? startupTrials = null)
    {
        var tpe = new TpeOptions
        {
            ConstantLiar = constantLiar, Multivariate = multivariate, StartupTrials = startupTrials ?? new TpeOptions().StartupTrials,
        };
        return name switch
        {
            "gp" => new GpSampler(space, new GpOptions { BelievePending = constantLiar, Tpe = tpe, StartupTrials = startupTrials }, direction, seed, history),
            "tpe" => new TpeSampler(space, tpe, direction, seed, history),
            "random" => new RandomSampler(space, direction, seed, history),
            "grid" => new GridSampler(space, direction, seed, history),
            _ => throw new ArgumentException($"unknown sampler '{name}'; choose one of {string.Join(", ", Names)}"),
        };
    }
}
