namespace BeyondNll.Search.Samplers.Tpe;

/// <summary>
/// TPE's settings. The defaults are Optuna's (TPESampler in Optuna 3.x), so results compare
/// like for like; see each setting for what it does.
/// </summary>
public sealed record TpeOptions
{
    /// <summary>Trials with a result (complete or pruned) sampled at random before TPE takes over.</summary>
    public int StartupTrials { get; init; } = 10;

    /// <summary>Candidates drawn from the "good" density l(x); the one maximising l(x)/g(x) wins.</summary>
    public int EiCandidates { get; init; } = 24;

    /// <summary>Add a broad prior kernel (centre of the range, width of the range) to each density.</summary>
    public bool ConsiderPrior { get; init; } = true;

    /// <summary>Weight of the prior kernel, relative to an observation's weight of up to 1.</summary>
    public double PriorWeight { get; init; } = 1.0;

    /// <summary>Keep kernels at least range / min(100, kernels + 1) wide, so no density collapses onto a point.</summary>
    public bool ConsiderMagicClip { get; init; } = true;

    /// <summary>Let the outermost kernels' widths reach to the bounds (Optuna's default: no).</summary>
    public bool ConsiderEndpoints { get; init; }

    /// <summary>
    /// Model parameters that exist together jointly (one kernel per trial over all of them) rather
    /// than one at a time; parameters under the same condition form one group, as Optuna's
    /// multivariate "group" mode does.
    /// </summary>
    public bool Multivariate { get; init; }

    /// <summary>Count running trials as the worst result, so concurrent asks spread out instead of piling up.</summary>
    public bool ConstantLiar { get; init; }

    /// <summary>
    /// Divide each continuous kernel's density by its width σ, making it a true density. Off by
    /// default, as in Optuna 3.1, whose kernels omit the factor: over 20 seeds of the benchmark
    /// (docs/benchmarks.md) leaving it out gave lower regret on Hartmann-6 and no worse elsewhere.
    /// </summary>
    public bool DividePdfByKernelWidth { get; init; }

    /// <summary>How many of n ranked trials form the "good" set: Optuna's min(⌈0.1·n⌉, 25).</summary>
    public Func<int, int> Gamma { get; init; } = DefaultGamma;

    /// <summary>
    /// Weights of n observations in trial order: Optuna's default gives the newest 25 weight 1 and
    /// ramps older ones linearly from 1/n, so an old region fades once better ones are found.
    /// </summary>
    public Func<int, double[]> Weights { get; init; } = DefaultWeights;

    public static int DefaultGamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    public static double[] DefaultWeights(int n)
    {
        var w = new double[n];
        if (n < 25)
        {
            Array.Fill(w, 1.0);
            return w;
        }
        var ramp = n - 25;
        // Linearly from 1/n to 1 over the oldest n - 25 (numpy.linspace semantics).
        for (var i = 0; i < ramp; i++)
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        for (var i = ramp; i < n; i++)
            w[i] = 1.0;
        return w;
    }
}
