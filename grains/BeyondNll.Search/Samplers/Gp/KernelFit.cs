using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// Chooses the kernel's length scales, variances and noise for the observations at hand: the
/// maximum a posteriori estimate, i.e. the GP's log marginal likelihood plus log-normal priors,
/// maximised with box-constrained BFGS (MathNet) from fixed starting points, so the fit is a
/// function of the observations alone. Values must be standardised (mean 0, variance 1).
/// </summary>
/// <remarks>
/// Priors (on the logarithms; the coordinates live in the unit cube): length scales around
/// <see cref="GpOptions.LengthScaleMedian"/>; each kernel variance around ½, so that together they
/// explain the standardised values; noise around 10⁻³ of the values' variance, small (most
/// objectives here are deterministic up to training noise) but free to grow where values scatter.
/// </remarks>
public static class KernelFit
{
    const double MinLengthScale = 5e-3, MaxLengthScale = 1e2;
    const double MinVariance = 1e-3, MaxVariance = 1e2;
    const double MinNoise = 1e-6, MaxNoise = 1.0;
    static readonly double VariancePriorMean = Math.Log(0.5);
    const double VariancePriorSd = 1.5;
    const double NoisePriorMean = -6.9, NoisePriorSd = 2.0; // median noise 1e-3 of the values' variance

    /// <summary>The fitted posterior over the observations.</summary>
    public static GaussianProcess Fit(bool[] isCategorical, double[][] points, double[] values, GpOptions options)
    {
        var problem = new MarginalLikelihood(isCategorical, points, values, options);
        var dims = isCategorical.Length;
        var count = problem.ParameterCount;
        var lower = Vector<double>.Build.Dense(count, i => i < dims ? Math.Log(MinLengthScale) : i == count - 1 ? Math.Log(MinNoise) : Math.Log(MinVariance));
        var upper = Vector<double>.Build.Dense(count, i => i < dims ? Math.Log(MaxLengthScale) : i == count - 1 ? Math.Log(MaxNoise) : Math.Log(MaxVariance));
        foreach (var lengthScale in options.FitStarts)
        {
            var start = Vector<double>.Build.Dense(count, i => i < dims ? Math.Log(lengthScale) : i == count - 1 ? NoisePriorMean : VariancePriorMean);
            try
            {
                new BfgsBMinimizer(1e-5, 1e-7, 1e-9, 200).FindMinimum(
                    ObjectiveFunction.Gradient(problem.ValueAndGradient), lower, upper, start);
            }
            catch (Exception e) when (e is OptimizationException or ArithmeticException or ArgumentException)
            {
                // A failed line search ends the run early; the best point it evaluated is kept below.
            }
        }
        return problem.BestPosterior();
    }

    /// <summary>
    /// Negative log posterior of θ = (ln ℓ_1..ℓ_D, ln σj², [ln σa²,] ln noise) and its gradient,
    /// ½ yᵀK⁻¹y + ½ log det K + priors, with d/dθ = −½ tr((ααᵀ − K⁻¹) ∂K/∂θ), α = K⁻¹y.
    /// </summary>
    sealed class MarginalLikelihood
    {
        readonly bool[] _isCategorical;
        readonly double[][] _points;
        readonly double[] _values;
        readonly bool _additive;
        readonly double[][] _squaredDifferences; // per pair i < j, per coordinate: Δ² before weighting
        readonly double _lengthPriorMean;
        readonly double _lengthPriorSd;
        double _bestValue = double.PositiveInfinity;
        double[]? _bestTheta;

        public MarginalLikelihood(bool[] isCategorical, double[][] points, double[] values, GpOptions options)
        {
            _isCategorical = isCategorical;
            _points = points;
            _values = values;
            _additive = options.AdditiveKernel;
            _lengthPriorMean = Math.Log(options.LengthScaleMedian);
            _lengthPriorSd = options.LengthScaleSd;
            var unit = new MixedKernel(isCategorical, new double[isCategorical.Length], 1, 0);
            var n = points.Length;
            _squaredDifferences = new double[n * (n - 1) / 2][];
            var pair = 0;
            for (var i = 0; i < n; i++)
                for (var j = 0; j < i; j++, pair++)
                {
                    var row = new double[isCategorical.Length];
                    for (var d = 0; d < row.Length; d++)
                        row[d] = unit.SquaredDifference(d, points[i][d], points[j][d]);
                    _squaredDifferences[pair] = row;
                }
        }

        public int ParameterCount => _isCategorical.Length + (_additive ? 3 : 2);

        MixedKernel Kernel(double[] theta)
        {
            var dims = _isCategorical.Length;
            var weights = new double[dims];
            for (var d = 0; d < dims; d++)
                weights[d] = Math.Exp(-2 * theta[d]);
            return new MixedKernel(_isCategorical, weights, Math.Exp(theta[dims]), _additive ? Math.Exp(theta[dims + 1]) : 0);
        }

        public GaussianProcess BestPosterior()
        {
            var theta = _bestTheta ?? throw new InvalidOperationException("the kernel fit evaluated no point");
            var kernel = Kernel(theta);
            var noise = Math.Exp(theta[^1]);
            return GaussianProcess.TryCreate(kernel, noise, _points, _values)
                   ?? GaussianProcess.TryCreate(kernel, noise + 1e-6, _points, _values)
                   ?? throw new InvalidOperationException("no positive definite covariance for the observations");
        }

        public (double, Vector<double>) ValueAndGradient(Vector<double> thetaVector)
        {
            var theta = thetaVector.ToArray();
            var dims = _isCategorical.Length;
            var gradient = Vector<double>.Build.Dense(theta.Length);
            var kernel = Kernel(theta);
            var noise = Math.Exp(theta[^1]);
            var (joint, additive) = (kernel.JointVariance, kernel.AdditiveVariance / dims);
            var n = _points.Length;

            // One pass over the pairs: each part's correlation and slope, kept for the gradient.
            var pairs = _squaredDifferences.Length;
            var jointValue = new double[pairs];
            var jointSlope = new double[pairs];
            var additiveSum = _additive ? new double[pairs] : [];
            var additiveSlope = _additive ? new double[pairs * dims] : [];
            var covariance = new double[n * n];
            var pair = 0;
            for (var i = 0; i < n; i++)
            {
                covariance[i * n + i] = kernel.PriorVariance + noise;
                for (var j = 0; j < i; j++, pair++)
                {
                    var differences = _squaredDifferences[pair];
                    var r2 = 0.0;
                    for (var d = 0; d < dims; d++)
                    {
                        var weighted = kernel.Weights[d] * differences[d];
                        r2 += weighted;
                        if (!_additive)
                            continue;
                        var (value, slope) = weighted == 0 ? (1.0, 5.0 / 6.0) : MixedKernel.Matern52WithSlope(weighted);
                        additiveSum[pair] += value;
                        additiveSlope[pair * dims + d] = slope;
                    }
                    (jointValue[pair], jointSlope[pair]) = MixedKernel.Matern52WithSlope(r2);
                    covariance[i * n + j] = covariance[j * n + i] =
                        joint * jointValue[pair] + (_additive ? additive * additiveSum[pair] : 0);
                }
            }
            var factor = CholeskyFactor.TryFactor(covariance, n);
            if (factor is null)
                return (1e10, gradient); // not positive definite: a wall the line search backs off from

            var alpha = factor.Solve(_values);
            var result = 0.5 * n * Math.Log(2 * Math.PI) + 0.5 * factor.LogDeterminant;
            for (var i = 0; i < n; i++)
                result += 0.5 * alpha[i] * _values[i];

            var inverse = factor.Inverse();
            double jointTerm = 0, additiveTerm = 0, noiseTerm = 0;
            var lengthTerms = new double[dims];
            pair = 0;
            for (var i = 0; i < n; i++)
            {
                var wii = alpha[i] * alpha[i] - inverse[i * n + i];
                jointTerm += wii * joint;
                additiveTerm += wii * kernel.AdditiveVariance;
                noiseTerm += wii * noise;
                for (var j = 0; j < i; j++, pair++)
                {
                    var w = 2 * (alpha[i] * alpha[j] - inverse[i * n + j]); // both (i, j) and (j, i)
                    jointTerm += w * joint * jointValue[pair];
                    var differences = _squaredDifferences[pair];
                    var jointPart = w * joint * jointSlope[pair];
                    if (!_additive)
                    {
                        for (var d = 0; d < dims; d++)
                            lengthTerms[d] += jointPart * differences[d];
                        continue;
                    }
                    additiveTerm += w * additive * additiveSum[pair];
                    for (var d = 0; d < dims; d++)
                        lengthTerms[d] += (jointPart + w * additive * additiveSlope[pair * dims + d]) * differences[d];
                }
            }
            // ∂K/∂ln ℓ_d = 2 w_d Δ_d² (σj²·S(r²) + σa²/D·S(w_d Δ_d²)), S the slope −dM/d(r²).
            for (var d = 0; d < dims; d++)
                gradient[d] = -kernel.Weights[d] * lengthTerms[d];
            gradient[dims] = -0.5 * jointTerm;
            if (_additive)
                gradient[dims + 1] = -0.5 * additiveTerm;
            gradient[theta.Length - 1] = -0.5 * noiseTerm;

            for (var d = 0; d < dims; d++)
                AddPrior(theta, d, _lengthPriorMean, _lengthPriorSd, ref result, gradient);
            AddPrior(theta, dims, VariancePriorMean, VariancePriorSd, ref result, gradient);
            if (_additive)
                AddPrior(theta, dims + 1, VariancePriorMean, VariancePriorSd, ref result, gradient);
            AddPrior(theta, theta.Length - 1, NoisePriorMean, NoisePriorSd, ref result, gradient);

            if (result < _bestValue && double.IsFinite(result))
            {
                _bestValue = result;
                _bestTheta = theta;
            }
            return (result, gradient);
        }

        /// <summary>A log-normal prior: −log p(θ) = (θ − m)² / 2s² + const.</summary>
        static void AddPrior(double[] theta, int index, double mean, double sd, ref double value, Vector<double> gradient)
        {
            var z = (theta[index] - mean) / sd;
            value += 0.5 * z * z;
            gradient[index] += z / sd;
        }
    }
}
