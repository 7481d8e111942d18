namespace BeyondNll.Search.Samplers.Gp;

/// <summary>Settings of <see cref="GpSampler"/>. The defaults are the measured ones (docs/benchmarks.md, Samplers).</summary>
public sealed record GpOptions
{
    /// <summary>
    /// Trials taken from the space-filling design before the model is used; null: one more than
    /// the number of parameters, at least 4 and at most 6.
    /// </summary>
    public int? StartupTrials { get; init; }

    /// <summary>
    /// Trials with a value the model needs at least; with fewer (trials in flight, failures) the
    /// model is not asked (<see cref="ExtensionStep"/> says what is). Null: as many as the design
    /// has trials. With 4 trials in flight and 3 observations the model's asks were worse than more
    /// design points: on the recipe problem (50 seeds) the median regret at 10 trials was 1.13×
    /// Optuna's with 3 and 0.98× with 6, at 20 trials 0.84× and 0.78× (docs/benchmarks.md, Samplers);
    /// and the model choosing among steps from the best trial from 3 values on was worse than a
    /// random step (recipe, 50 seeds, 20 trials: 0.85× against 0.65×).
    /// </summary>
    public int? MinObservations { get; init; }

    /// <summary>
    /// Past the design's trials, while fewer than <see cref="MinObservations"/> trials have a value
    /// (trials in flight), a trial is a neighbour of the best complete trial so far (<see cref="Sampler.Best"/>): each numeric coordinate
    /// moved by a normal step of this standard deviation on its unit axis, each categorical redrawn
    /// with probability one over the number of categoricals. 0: more design points instead, as
    /// before. With 4 trials in flight (200 seeds, 20 trials) this took the median regret from
    /// 0.82× Optuna's to 0.75× on the recipe problem, 0.72× to 0.67× on branches and 0.71× to 0.65×
    /// on Hartmann-6, and at 10 trials on recipe from 1.01× to 0.92× (docs/benchmarks.md, Samplers).
    /// </summary>
    public double ExtensionStep { get; init; } = 0.1;

    /// <summary>
    /// From this many trials with a value on, TPE decides instead of the GP: an exact GP's fit
    /// grows with the cube of the trials, TPE's ask linearly, and at hundreds of trials the model
    /// matters less than the cost of an ask.
    /// </summary>
    public int TpeFrom { get; init; } = 200;

    /// <summary>
    /// Count trials still running as taking the value the model expects there (the GP's constant
    /// liar, "kriging believer"), so that concurrent asks spread out instead of piling up.
    /// </summary>
    public bool BelievePending { get; init; } = true;

    /// <summary>TPE's settings once it takes over (its constant liar included).</summary>
    public Tpe.TpeOptions Tpe { get; init; } = new();

    /// <summary>
    /// How values are reshaped before the fit. None, as measured during development over the
    /// benchmark's problems (50 seeds, 50 trials): Yeo–Johnson found Branin's and the family
    /// problem's optimum sooner but ended further from Hartmann-6's (median regret 0.12 against
    /// 0.017 at 50 trials) and the recipe problem's.
    /// </summary>
    public ValueWarp Warp { get; init; } = ValueWarp.None;

    /// <summary>
    /// Median of the log-normal prior on each length scale (coordinates are in the unit cube). 0.7
    /// since numeric coordinates lie on a half circle (<see cref="MixedKernel"/>); with the straight
    /// line it was 0.5, and 0.3, 0.2 and 0.5·√(D/2) were each worse there (docs/benchmarks.md, Samplers).
    /// </summary>
    public double LengthScaleMedian { get; init; } = 0.7;

    /// <summary>Standard deviation of that prior, in natural-log units.</summary>
    public double LengthScaleSd { get; init; } = 1.0;

    /// <summary>Add a first-order additive part to the kernel (<see cref="MixedKernel"/>).</summary>
    public bool AdditiveKernel { get; init; } = true;

    /// <summary>The length scales the kernel fit starts from (one run each; the best fit wins).</summary>
    public IReadOnlyList<double> FitStarts { get; init; } = [0.5, 0.15];

    /// <summary>Uniform draws from the space scored per ask.</summary>
    public int RandomCandidates { get; init; } = 1000;

    /// <summary>The best observed trials the candidate pool searches around.</summary>
    public int Incumbents { get; init; } = 5;

    /// <summary>Neighbours of each incumbent in the pool.</summary>
    public int LocalCandidates { get; init; } = 100;

    /// <summary>The best candidates of the pool each refined by a climb.</summary>
    public int ClimbStarts { get; init; } = 5;

    public int ClimbRounds { get; init; } = 30;
    public int ClimbBatch { get; init; } = 12;
}
