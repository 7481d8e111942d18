using System.Numerics;
using System.Runtime.InteropServices;

namespace BeyondNll.Search.Samplers.Tpe;

/// <summary>
/// A Parzen (kernel density) estimator over one or more axes: one kernel per observed trial
/// plus an optional broad prior kernel, mixed with per-trial weights. Numeric axes use normal
/// kernels truncated to the bounds; categorical axes use, per trial, a distribution that puts
/// extra weight on the observed choice. With several axes a kernel is the product over axes
/// (multivariate TPE); with one axis this is Optuna's univariate estimator.
/// </summary>
/// <remarks>
/// Bandwidths follow Optuna: univariate kernels are as wide as the larger gap to their sorted
/// neighbours (the outermost ones use their inner gap unless endpoints are considered);
/// multivariate kernels share Scott's-rule width 0.2·n^(−1/(d+4)) of the range; both are clipped
/// to [range / min(100, kernels + 1), range] ("magic clip"), and the prior is as wide as the range.
/// By default a continuous kernel's density leaves out its 1/σ factor, exactly as Optuna 3.1
/// computes it: wide kernels then weigh more, which flattens g(x) and, measured on the benchmark
/// problems, found better points than the normalised density (<see cref="TpeOptions.DividePdfByKernelWidth"/>).
/// </remarks>
public sealed class ParzenEstimator
{
    const double Sigma0Magnitude = 0.2;
    const double Eps = 1e-12;

    readonly ParzenAxis[] _axes;
    readonly int _components;
    readonly double[] _logWeights;
    readonly double[] _cumulativeWeights;
    readonly object[] _kernels; // NumericKernels or CategoricalKernels, per axis

    sealed class NumericKernels(double[] mu, double[] sigma)
    {
        public readonly double[] Mu = mu;
        public readonly double[] Sigma = sigma;
        public readonly double[] InvSigma = new double[mu.Length];
        /// <summary>Continuous axis: log(σ·√2π·mass inside the bounds); stepped axis: log(mass inside the bounds).</summary>
        public readonly double[] LogNormaliser = new double[mu.Length];
    }

    sealed class CategoricalKernels(int[] observed, int choiceCount, double logHit, double logMiss)
    {
        /// <summary>Observed choice per trial kernel; the prior kernel (last, if any) is uniform.</summary>
        public readonly int[] Observed = observed;
        public readonly int ChoiceCount = choiceCount;
        public readonly double LogHit = logHit;
        public readonly double LogMiss = logMiss;
    }

    /// <param name="axes">The axes modelled jointly.</param>
    /// <param name="observations">Per axis, the observed internal values, trials in chronological order.</param>
    public ParzenEstimator(IReadOnlyList<ParzenAxis> axes, IReadOnlyList<double[]> observations, TpeOptions options)
        : this(axes, ParzenObservations.Sort(observations), options) { }

    /// <param name="axes">The axes modelled jointly.</param>
    /// <param name="observations">The observations, per axis in trial order and in value order.</param>
    public ParzenEstimator(IReadOnlyList<ParzenAxis> axes, ParzenObservations observations, TpeOptions options)
    {
        _axes = axes.ToArray();
        var n = observations.Count;
        var withPrior = options.ConsiderPrior || n == 0;
        _components = n + (withPrior ? 1 : 0);

        var weights = new double[_components];
        if (n > 0)
            options.Weights(n).AsSpan(0, n).CopyTo(weights);
        if (withPrior)
            weights[n] = options.PriorWeight;
        var total = 0.0;
        foreach (var w in weights) total += w;
        _logWeights = new double[_components];
        _cumulativeWeights = new double[_components];
        var running = 0.0;
        for (var j = 0; j < _components; j++)
        {
            _logWeights[j] = Math.Log(weights[j] / total);
            running += weights[j] / total;
            _cumulativeWeights[j] = running;
        }

        _kernels = new object[_axes.Length];
        for (var a = 0; a < _axes.Length; a++)
            _kernels[a] = _axes[a].IsCategorical
                ? BuildCategorical(_axes[a], observations.Values[a], n, withPrior, options)
                : BuildNumeric(_axes[a], observations.Values[a], observations.Ascending[a], withPrior, options);
    }

    public int Components => _components;

    CategoricalKernels BuildCategorical(ParzenAxis axis, double[] observed, int n, bool withPrior, TpeOptions options)
    {
        // Each trial's row starts from prior_weight / kernels on every choice, plus 1 on its own choice.
        var k = axis.ChoiceCount;
        var floor = options.PriorWeight / _components;
        var rowTotal = 1.0 + k * floor;
        var choices = new int[_components];
        for (var j = 0; j < n; j++)
            choices[j] = (int)observed[j];
        if (withPrior)
            choices[n] = -1;
        return new CategoricalKernels(choices, k, Math.Log((1.0 + floor) / rowTotal), Math.Log(floor / rowTotal));
    }

    NumericKernels BuildNumeric(ParzenAxis axis, double[] observed, int[] ascending, bool withPrior, TpeOptions options)
    {
        var n = observed.Length;
        double low = axis.Low, high = axis.High, range = high - low;
        var mu = new double[_components];
        for (var j = 0; j < n; j++)
            mu[j] = axis.ToAxis(observed[j]);
        if (withPrior)
            mu[n] = 0.5 * (low + high);

        var sigma = new double[_components];
        if (_axes.Length > 1)
            Array.Fill(sigma, Sigma0Magnitude * Math.Pow(Math.Max(n, 1), -1.0 / (_axes.Length + 4)) * range);
        else
            NeighbourBandwidths(mu, KernelsAscending(mu, ascending, withPrior), low, high, options.ConsiderEndpoints, sigma);

        var minSigma = options.ConsiderMagicClip ? range / Math.Min(100.0, 1.0 + _components) : Eps;
        for (var j = 0; j < _components; j++)
            sigma[j] = Math.Clamp(sigma[j], minSigma, range);
        if (withPrior)
            sigma[n] = range;

        var kernels = new NumericKernels(mu, sigma);
        for (var j = 0; j < _components; j++)
        {
            kernels.InvSigma[j] = 1.0 / sigma[j];
            var logInside = GaussianMass.LogMass((low - mu[j]) / sigma[j], (high - mu[j]) / sigma[j]);
            kernels.LogNormaliser[j] = axis.Step is null
                ? (options.DividePdfByKernelWidth ? Math.Log(sigma[j]) : 0.0) + GaussianMass.LogSqrt2Pi + logInside
                : logInside;
        }
        return kernels;
    }

    /// <summary>
    /// All kernels' indices in ascending order of centre: the observations' value order, with the
    /// prior kernel (index n, at the centre of the range) after the observations not above it, so
    /// that equal centres keep kernel order (as a stable sort of all of them would).
    /// </summary>
    static int[] KernelsAscending(double[] mu, int[] observationsAscending, bool withPrior)
    {
        if (!withPrior)
            return observationsAscending;
        var n = observationsAscending.Length;
        var order = new int[n + 1];
        var at = 0;
        while (at < n && mu[observationsAscending[at]] <= mu[n])
            order[at] = observationsAscending[at++];
        order[at] = n;
        Array.Copy(observationsAscending, at, order, at + 1, n - at);
        return order;
    }

    /// <summary>Each kernel as wide as the larger gap to its neighbours in sorted order (bounds act as neighbours).</summary>
    static void NeighbourBandwidths(double[] mu, int[] order, double low, double high, bool considerEndpoints, double[] sigma)
    {
        var m = mu.Length;
        var sorted = new double[m];
        for (var s = 0; s < m; s++)
            sorted[s] = mu[order[s]];
        for (var s = 0; s < m; s++)
        {
            var left = sorted[s] - (s == 0 ? low : sorted[s - 1]);
            var right = (s == m - 1 ? high : sorted[s + 1]) - sorted[s];
            sigma[order[s]] = Math.Max(left, right);
        }
        if (!considerEndpoints && m >= 2)
        {
            sigma[order[0]] = sorted[1] - sorted[0];
            sigma[order[m - 1]] = sorted[m - 1] - sorted[m - 2];
        }
    }

    /// <summary>Draws <paramref name="count"/> points; returns, per axis, internal values (rounded to grids, clipped to bounds).</summary>
    public double[][] Sample(SeededRandom rng, int count)
    {
        var samples = new double[_axes.Length][];
        for (var a = 0; a < _axes.Length; a++)
            samples[a] = new double[count];
        for (var i = 0; i < count; i++)
        {
            var j = PickComponent(rng.NextDouble());
            for (var a = 0; a < _axes.Length; a++)
                samples[a][i] = _kernels[a] switch
                {
                    NumericKernels k => _axes[a].FromAxis(
                        GaussianMass.SampleTruncated(rng, k.Mu[j], k.Sigma[j], _axes[a].Low, _axes[a].High)),
                    CategoricalKernels c => SampleChoice(rng, c, j),
                    _ => throw new InvalidOperationException(),
                };
        }
        return samples;
    }

    int PickComponent(double u)
    {
        var index = Array.BinarySearch(_cumulativeWeights, u);
        if (index < 0) index = ~index;
        return Math.Min(index, _components - 1);
    }

    static double SampleChoice(SeededRandom rng, CategoricalKernels c, int component)
    {
        var observed = c.Observed[component];
        if (observed < 0 || c.ChoiceCount == 1)
            return rng.NextLong(c.ChoiceCount);
        if (rng.NextDouble() < Math.Exp(c.LogHit))
            return observed;
        var other = rng.NextLong(c.ChoiceCount - 1); // uniform over the other choices
        return other >= observed ? other + 1 : other;
    }

    /// <summary>log density of each point (per axis, internal values, as <see cref="Sample"/> returns them).</summary>
    public double[] LogPdf(double[][] points)
    {
        var count = points[0].Length;
        var result = new double[count];
        if (_axes.Length == 1 && _kernels[0] is CategoricalKernels single)
        {
            // One categorical axis: a point's density depends on its choice alone, so each
            // choice's is computed once (a sum over kernels per choice, not per point).
            var perChoice = ChoiceLogMasses(single);
            for (var i = 0; i < count; i++)
                result[i] = perChoice[(int)points[0][i]];
            return result;
        }
        // One row of per-component terms at a time: log weight + Σ over axes of log kernel density.
        var row = new double[_components];
        for (var i = 0; i < count; i++)
        {
            _logWeights.CopyTo(row, 0);
            for (var a = 0; a < _axes.Length; a++)
            {
                var axis = _axes[a];
                switch (_kernels[a])
                {
                    case NumericKernels k when axis.Step is { } step:
                        AddStepMass(k, axis, axis.ToAxis(points[a][i]), step, row);
                        break;
                    case NumericKernels k:
                        AddGaussian(k, axis.ToAxis(points[a][i]), row);
                        break;
                    case CategoricalKernels c:
                        AddCategorical(c, (int)points[a][i], row);
                        break;
                }
            }
            result[i] = LogSumExp(row);
        }
        return result;
    }

    /// <summary>row[j] += log N(x; μ_j, σ_j) restricted to the bounds. The hot loop of an ask: vectorised.</summary>
    static void AddGaussian(NumericKernels k, double x, Span<double> row)
    {
        var mu = k.Mu.AsSpan();
        var inv = k.InvSigma.AsSpan();
        var norm = k.LogNormaliser.AsSpan();
        var j = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<double>.Count)
        {
            var xs = new Vector<double>(x);
            var half = new Vector<double>(-0.5);
            var rowV = MemoryMarshal.Cast<double, Vector<double>>(row);
            var muV = MemoryMarshal.Cast<double, Vector<double>>(mu);
            var invV = MemoryMarshal.Cast<double, Vector<double>>(inv);
            var normV = MemoryMarshal.Cast<double, Vector<double>>(norm);
            for (var v = 0; v < rowV.Length; v++)
            {
                var z = (xs - muV[v]) * invV[v];
                rowV[v] += half * z * z - normV[v];
            }
            j = rowV.Length * Vector<double>.Count;
        }
        for (; j < row.Length; j++)
        {
            var z = (x - mu[j]) * inv[j];
            row[j] += -0.5 * z * z - norm[j];
        }
    }

    /// <summary>row[j] += log of kernel j's mass over the grid point's interval, relative to its mass inside the bounds.</summary>
    static void AddStepMass(NumericKernels k, ParzenAxis axis, double x, double step, Span<double> row)
    {
        var lower = Math.Max(x - 0.5 * step, axis.Low);
        var upper = Math.Min(x + 0.5 * step, axis.High);
        for (var j = 0; j < row.Length; j++)
            row[j] += GaussianMass.LogMass((lower - k.Mu[j]) * k.InvSigma[j], (upper - k.Mu[j]) * k.InvSigma[j])
                      - k.LogNormaliser[j];
    }

    static void AddCategorical(CategoricalKernels c, int choice, Span<double> row)
    {
        var logUniform = -Math.Log(c.ChoiceCount);
        for (var j = 0; j < row.Length; j++)
        {
            var observed = c.Observed[j];
            row[j] += observed < 0 ? logUniform : observed == choice ? c.LogHit : c.LogMiss;
        }
    }

    /// <summary>log of the mixture's mass on each choice: Σ over kernels of weight × the kernel's probability of it.</summary>
    double[] ChoiceLogMasses(CategoricalKernels c)
    {
        var row = new double[_components];
        var masses = new double[c.ChoiceCount];
        for (var choice = 0; choice < c.ChoiceCount; choice++)
        {
            _logWeights.CopyTo(row, 0);
            AddCategorical(c, choice, row);
            masses[choice] = LogSumExp(row);
        }
        return masses;
    }

    /// <summary>
    /// log Σ exp(values), stable: shift by the maximum first. Shifted terms are floored at −60
    /// (a share below 1e−26, nothing for a sum): exp of a far more negative argument takes a slow
    /// path in hardware and library, and would dominate the cost of an ask. A block of terms all
    /// at the floor adds exp(−60) per term without computing it: most of a thousand kernels lie far
    /// from any one point.
    /// </summary>
    static double LogSumExp(ReadOnlySpan<double> values)
    {
        const double Floor = -60.0;
        var max = Max(values);
        if (double.IsNegativeInfinity(max))
            return max;
        var sum = 0.0;
        var j = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count)
        {
            var shift = new Vector<double>(max);
            var floor = new Vector<double>(Floor);
            var atFloor = Vector.Exp(floor);
            var acc = Vector<double>.Zero;
            var vs = MemoryMarshal.Cast<double, Vector<double>>(values);
            foreach (var v in vs)
            {
                var shifted = Vector.Max(v - shift, floor);
                acc += Vector.EqualsAll(shifted, floor) ? atFloor : Vector.Exp(shifted);
            }
            sum = Vector.Sum(acc);
            j = vs.Length * Vector<double>.Count;
        }
        for (; j < values.Length; j++)
            sum += Math.Exp(Math.Max(values[j] - max, Floor));
        return max + Math.Log(sum);
    }

    /// <summary>The largest of <paramref name="values"/> (−∞ when empty), a vector at a time.</summary>
    static double Max(ReadOnlySpan<double> values)
    {
        var max = double.NegativeInfinity;
        var j = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count)
        {
            var vs = MemoryMarshal.Cast<double, Vector<double>>(values);
            var maxV = new Vector<double>(double.NegativeInfinity);
            foreach (var v in vs)
                maxV = Vector.Max(maxV, v);
            for (var lane = 0; lane < Vector<double>.Count; lane++)
                max = Math.Max(max, maxV[lane]);
            j = vs.Length * Vector<double>.Count;
        }
        for (; j < values.Length; j++)
            max = Math.Max(max, values[j]);
        return max;
    }
}
