using BeyondNll.Search.Spaces;

namespace BeyondNll.Search.Samplers.Tpe;

/// <summary>
/// A parameter as TPE's kernels see it. Log parameters are modelled on the log axis. Stepped
/// and integer parameters are modelled as continuous over [low − step/2, high + step/2], so each
/// grid point owns an interval of equal width, and their density at a point is the kernel's mass
/// over that point's interval (<see cref="Step"/> is that width). Integer log parameters are
/// continuous on [log(low − ½), log(high + ½)] and rounded. Categorical parameters are indices.
/// </summary>
public sealed class ParzenAxis
{
    public ParzenAxis(ParameterSpec spec)
    {
        Spec = spec;
        switch (spec.Kind)
        {
            case ParameterKind.Categorical:
                ChoiceCount = spec.Choices.Count;
                break;
            case ParameterKind.Int when spec.Log:
                (Low, High) = (Math.Log(spec.Low - 0.5), Math.Log(spec.High + 0.5));
                break;
            case ParameterKind.Float when spec.Log:
                (Low, High) = (Math.Log(spec.Low), Math.Log(spec.High));
                break;
            default:
                if (spec.Step is { } step)
                {
                    Step = step;
                    (Low, High) = (spec.Low - 0.5 * step, spec.High + 0.5 * step);
                }
                else
                {
                    (Low, High) = (spec.Low, spec.High);
                }
                break;
        }
    }

    public ParameterSpec Spec { get; }
    public bool IsCategorical => Spec.Kind == ParameterKind.Categorical;
    public int ChoiceCount { get; }

    /// <summary>Bounds on the modelling axis.</summary>
    public double Low { get; }
    public double High { get; }

    /// <summary>Width of a grid point's interval for stepped and (non-log) int parameters; null when continuous.</summary>
    public double? Step { get; }

    /// <summary>An internal value onto the modelling axis.</summary>
    public double ToAxis(double value) => !IsCategorical && Spec.Log ? Math.Log(value) : value;

    /// <summary>A point of the modelling axis back to a valid internal value (rounded to the grid, clipped to the bounds).</summary>
    public double FromAxis(double x)
    {
        if (IsCategorical)
            return x;
        if (Spec.Kind == ParameterKind.Int && Spec.Log)
            return Math.Clamp(Math.Round(Math.Exp(x)), Spec.Low, Spec.High);
        if (Spec.Log)
            return Math.Clamp(Math.Exp(x), Spec.Low, Spec.High);
        if (Step is { } step)
            return Math.Clamp(Math.Round((x - Spec.Low) / step) * step + Spec.Low, Spec.Low, Spec.High);
        return x;
    }
}
