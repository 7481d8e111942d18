using BeyondNll.Search.Spaces;

namespace BeyondNll.Search.Samplers;

/// <summary>
/// A parameter drawn uniformly from its domain, as Optuna's random sampler does: uniform on the
/// log scale for log parameters, uniform over the grid points for stepped ones, uniform over
/// choices for categoricals. The random sampler uses it, and TPE during its startup trials.
/// </summary>
public static class UniformDraw
{
    /// <returns>An internal value (a choice index for a categorical).</returns>
    public static double Draw(ParameterSpec p, SeededRandom rng)
    {
        switch (p.Kind)
        {
            case ParameterKind.Categorical:
                return rng.NextLong(p.Choices.Count);
            case ParameterKind.Int when p.Log:
                // Each integer owns [i - 0.5, i + 0.5] on the log axis, so ends get their fair share.
                var logged = Math.Exp(rng.Uniform(Math.Log(p.Low - 0.5), Math.Log(p.High + 0.5)));
                return Math.Clamp(Math.Round(logged), p.Low, p.High);
            case ParameterKind.Float when p.Log:
                return Math.Clamp(Math.Exp(rng.Uniform(Math.Log(p.Low), Math.Log(p.High))), p.Low, p.High);
            default:
                if (p.Step is not { } step)
                    return Math.Min(rng.Uniform(p.Low, p.High), p.High);
                var points = (long)Math.Round((p.High - p.Low) / step) + 1;
                return Math.Min(p.Low + rng.NextLong(points) * step, p.High);
        }
    }
}
