namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// The covariance of two encoded trials (<see cref="SpaceEncoding"/>): a joint Matérn-5/2 kernel
/// of a weighted distance over all coordinates plus a first-order additive part, one Matérn-5/2
/// kernel per coordinate, averaged:
/// <code>k(a, b) = σj²·M(Σ_d w_d·Δ_d²) + σa²·(1/D)·Σ_d M(w_d·Δ_d²),  M(r²) = (1 + √5 r + 5r²/3)·exp(−√5 r)</code>
/// On a numeric coordinate Δ_d is the difference of the two unit values; on a categorical one Δ_d²
/// is 0 for the same choice and 1 for different ones (the distance of one-hot vectors, up to a
/// factor the weight absorbs), so both parts stay positive definite over mixed spaces. One weight
/// per coordinate (w_d = 1/ℓ_d², ℓ_d its length scale), shared by both parts, lets the fit find
/// which parameters matter.
/// </summary>
/// <remarks>
/// Why the additive part: the response of a training run to its hyperparameters is mostly a sum of
/// main effects with a few interactions (Hutter et al. 2014, "An efficient approach for assessing
/// hyperparameter importance"), and a sum of one-dimensional effects can be learnt from far fewer
/// trials than a D-dimensional surface: what one trial says about the learning rate carries over
/// to trials that differ in every other parameter. The joint part keeps the interactions (the best
/// learning rate moving with the batch size), and the fit decides how much variance each part
/// explains. Matérn-5/2 rather than the squared exponential: twice differentiable, not infinitely
/// smooth, the usual choice in Bayesian optimisation (Snoek et al. 2012).
/// </remarks>
public sealed class MixedKernel
{
    static readonly double Sqrt5 = Math.Sqrt(5.0);

    public MixedKernel(bool[] isCategorical, double[] weights, double jointVariance, double additiveVariance)
    {
        IsCategorical = isCategorical;
        Weights = weights;
        JointVariance = jointVariance;
        AdditiveVariance = additiveVariance;
    }

    public bool[] IsCategorical { get; }

    /// <summary>Per coordinate, 1/ℓ².</summary>
    public double[] Weights { get; }

    /// <summary>σj²: the variance of the joint part.</summary>
    public double JointVariance { get; }

    /// <summary>σa²: the variance of the additive part (0: a plain Matérn kernel).</summary>
    public double AdditiveVariance { get; }

    /// <summary>The covariance of a point with itself.</summary>
    public double PriorVariance => JointVariance + AdditiveVariance;

    /// <summary>Coordinate d's contribution to r² before its weight: Δ² or the categorical mismatch.</summary>
    public double SquaredDifference(int d, double a, double b)
    {
        if (IsCategorical[d])
            return a == b ? 0.0 : 1.0;
        var diff = a - b;
        return diff * diff;
    }

    public double Covariance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double r2 = 0, additive = 0;
        for (var d = 0; d < a.Length; d++)
        {
            var weighted = Weights[d] * SquaredDifference(d, a[d], b[d]);
            r2 += weighted;
            if (AdditiveVariance > 0)
                additive += weighted == 0 ? 1.0 : Matern52(weighted);
        }
        return JointVariance * Matern52(r2) + AdditiveVariance * additive / a.Length;
    }

    /// <summary>The unit-variance Matérn-5/2 correlation at squared distance r².</summary>
    public static double Matern52(double r2)
    {
        var r = Math.Sqrt(r2);
        return (1 + Sqrt5 * r + 5.0 / 3.0 * r2) * Math.Exp(-Sqrt5 * r);
    }

    /// <summary>
    /// The correlation at r² and its slope −d Matern52 / d(r²) = (5/6)(1 + √5 r)·exp(−√5 r), which
    /// is finite at r = 0, so the fit's gradient needs no special case for coincident points.
    /// </summary>
    public static (double Value, double Slope) Matern52WithSlope(double r2)
    {
        var r = Math.Sqrt(r2);
        var decay = Math.Exp(-Sqrt5 * r);
        return ((1 + Sqrt5 * r + 5.0 / 3.0 * r2) * decay, 5.0 / 6.0 * (1 + Sqrt5 * r) * decay);
    }
}
