using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Samplers;

/// <summary>Builds a sampler from its name, as the console and the study grain name them.</summary>
public static class SamplerFactory
{
    public static IReadOnlyList<string> Names { get; } = ["tpe", "random", "grid"];

    /// <param name="constantLiar">TPE only: running trials count as the worst result.</param>
    /// <param name="multivariate">TPE only: parameters that exist together are modelled jointly.</param>
    /// <param name="startupTrials">TPE only: trials with a result before TPE takes over (null: Optuna's 10).</param>
    /// <exception cref="ArgumentException">An unknown name, or a space the sampler cannot handle.</exception>
    public static ISampler Create(string name, SearchSpace space, StudyDirection direction, long seed,
        bool constantLiar = false, bool multivariate = false, TrialHistory? history = null, int? startupTrials = null) => name switch
    {
        "tpe" => new TpeSampler(space, new TpeOptions
            {
                ConstantLiar = constantLiar, Multivariate = multivariate, StartupTrials = startupTrials ?? new TpeOptions().StartupTrials,
            },
            direction, seed, history),
        "random" => new RandomSampler(space, direction, seed, history),
        "grid" => new GridSampler(space, direction, seed, history),
        _ => throw new ArgumentException($"unknown sampler '{name}'; choose one of {string.Join(", ", Names)}"),
    };
}
