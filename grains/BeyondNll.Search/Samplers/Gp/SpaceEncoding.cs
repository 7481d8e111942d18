using BeyondNll.Search.Samplers.Tpe;
using BeyondNll.Search.Spaces;

namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// A trial's parameters as the Gaussian process sees them: one coordinate per parameter of the
/// space, in declaration order. A numeric parameter is its position in [0, 1] along its modelling
/// axis (the log axis for log parameters; an integer or stepped value owns an interval of equal
/// width, as in <see cref="ParzenAxis"/>, whose rules this reuses). A categorical parameter is its
/// choice index, compared by equality only (<see cref="MixedKernel"/>).
/// </summary>
/// <remarks>
/// A conditional parameter that is inactive takes a fixed stand-in value: the middle of the unit
/// interval for a numeric one, one past the last choice for a categorical one (a "none" choice of
/// its own). The stand-ins make the encoding a fixed-length vector, so one kernel covers the whole
/// tree and stays positive definite. They also carry information across branches: trials without
/// k share k's additive term with power trials of middling k (<see cref="MixedKernel"/>), which
/// draws the search into a branch it has seen little of. Measured against keeping a parameter's
/// term to the trials that have it (docs/benchmarks.md, Samplers), the stand-ins found the best
/// branch of the recipe problem far more often (median regret 0.002 against 0.037 at 50 trials).
/// </remarks>
public sealed class SpaceEncoding
{
    /// <summary>Where an inactive numeric parameter sits on its unit axis.</summary>
    public const double InactiveNumeric = 0.5;

    readonly ParzenAxis[] _axes;

    public SpaceEncoding(SearchSpace space)
    {
        Space = space;
        _axes = space.Parameters.Select(p => new ParzenAxis(p)).ToArray();
        IsCategorical = _axes.Select(a => a.IsCategorical).ToArray();
    }

    public SearchSpace Space { get; }

    /// <summary>Coordinates per point: one per parameter.</summary>
    public int Dimension => _axes.Length;

    /// <summary>Per coordinate: compared by equality (a categorical) rather than by distance.</summary>
    public bool[] IsCategorical { get; }

    /// <summary>
    /// How often a step to a neighbour redraws a categorical: one over their number, so that a step
    /// changes one choice on average and the numeric steps stay visible next to it.
    /// </summary>
    public double CategoricalFlip => 1.0 / Math.Max(1, IsCategorical.Count(c => c));

    /// <summary>The stand-in of an inactive categorical parameter: a choice index no active value takes.</summary>
    public int InactiveChoice(int dimension) => _axes[dimension].ChoiceCount;

    /// <summary>A trial's (active) parameters as a point.</summary>
    public double[] Encode(IReadOnlyDictionary<string, double> parameters)
    {
        var x = new double[_axes.Length];
        for (var d = 0; d < _axes.Length; d++)
            x[d] = parameters.TryGetValue(_axes[d].Spec.Name, out var value) ? ToUnit(d, value) : Inactive(d);
        return x;
    }

    /// <summary>
    /// The parameters a point stands for: each active parameter's value rounded to its grid and
    /// clipped to its bounds, inactive ones left out. Parents are read before their children, so
    /// a point whose child coordinates disagree with its parent's choice still decodes to a valid
    /// trial (see <see cref="Snap"/>).
    /// </summary>
    public Dictionary<string, double> Decode(ReadOnlySpan<double> x)
    {
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var d = 0; d < _axes.Length; d++)
        {
            var spec = _axes[d].Spec;
            if (SearchSpace.IsActive(spec, parameters))
                parameters[spec.Name] = FromUnit(d, x[d]);
        }
        return parameters;
    }

    /// <summary>
    /// A point near <paramref name="from"/>: each numeric coordinate moved by a normal step of
    /// width <paramref name="scale"/> (reflected at the ends of the unit interval), each categorical
    /// changed to another choice with probability <paramref name="flipProbability"/>. A parameter
    /// that a changed choice makes active is drawn uniformly; every value is rounded to its grid,
    /// so the model scores the trial that would actually run. Parameters in
    /// <paramref name="pinned"/> take the value given there (an enqueued trial's).
    /// </summary>
    public double[] Neighbour(double[] from, SeededRandom rng, double scale, double flipProbability,
        IReadOnlyDictionary<string, double> pinned)
    {
        var wasActive = Decode(from);
        var x = new double[_axes.Length];
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var d = 0; d < _axes.Length; d++)
        {
            var axis = _axes[d];
            if (!SearchSpace.IsActive(axis.Spec, parameters))
            {
                x[d] = Inactive(d);
                continue;
            }
            double value;
            if (pinned.TryGetValue(axis.Spec.Name, out var given))
                value = given;
            else if (!wasActive.ContainsKey(axis.Spec.Name))
                value = UniformDraw.Draw(axis.Spec, rng);
            else if (axis.IsCategorical)
                value = axis.ChoiceCount > 1 && rng.NextDouble() < flipProbability
                    ? OtherChoice(from[d], axis.ChoiceCount, rng) : from[d];
            else
                value = FromUnit(d, Reflect(from[d] + scale * rng.NextGaussian()));
            parameters[axis.Spec.Name] = value;
            x[d] = ToUnit(d, value);
        }
        return x;
    }

    static double OtherChoice(double current, int count, SeededRandom rng)
    {
        var other = rng.NextLong(count - 1);
        return other >= (long)current ? other + 1 : other;
    }

    /// <summary>Folds a step past an end of [0, 1] back inside, so points near a bound are not piled onto it.</summary>
    static double Reflect(double u)
    {
        u = Math.Abs(u) % 2;
        return u > 1 ? 2 - u : u;
    }

    /// <summary>A point drawn as <see cref="UniformDraw"/> draws a trial: only the active parameters, each uniformly.</summary>
    public double[] RandomPoint(SeededRandom rng)
    {
        var x = new double[_axes.Length];
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var d = 0; d < _axes.Length; d++)
        {
            var spec = _axes[d].Spec;
            if (!SearchSpace.IsActive(spec, parameters))
            {
                x[d] = Inactive(d);
                continue;
            }
            parameters[spec.Name] = UniformDraw.Draw(spec, rng);
            x[d] = ToUnit(d, parameters[spec.Name]);
        }
        return x;
    }

    /// <summary>
    /// The point a point of the unit cube stands for, every coordinate used as a quantile: a
    /// categorical takes choice ⌊u·C⌋, a numeric parameter the value at u along its axis. Turns a
    /// space-filling design of the cube into trials that fill the space; pass it through
    /// <see cref="Neighbour"/> with no step to round it and settle which parameters are active.
    /// </summary>
    public double[] FromQuantiles(ReadOnlySpan<double> u)
    {
        var x = new double[_axes.Length];
        for (var d = 0; d < _axes.Length; d++)
            x[d] = IsCategorical[d] ? Math.Min(Math.Floor(u[d] * _axes[d].ChoiceCount), _axes[d].ChoiceCount - 1) : u[d];
        return x;
    }

    double Inactive(int d) => IsCategorical[d] ? InactiveChoice(d) : InactiveNumeric;

    double ToUnit(int d, double value)
    {
        var axis = _axes[d];
        return axis.IsCategorical ? value : (axis.ToAxis(value) - axis.Low) / (axis.High - axis.Low);
    }

    double FromUnit(int d, double u)
    {
        var axis = _axes[d];
        if (axis.IsCategorical)
            return Math.Clamp(Math.Round(u), 0, axis.ChoiceCount - 1);
        return axis.FromAxis(axis.Low + Math.Clamp(u, 0, 1) * (axis.High - axis.Low));
    }
}
