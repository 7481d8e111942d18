namespace BeyondNll.Search.Confirmation;

/// <summary>Mean and standard error of one configuration's values over its seeds.</summary>
/// <param name="StandardDeviation">The sample standard deviation (n − 1); 0 for a single value.</param>
/// <param name="StandardError">StandardDeviation / √n; NaN for a single value, whose noise is unknown.</param>
public sealed record SampleSummary(int N, double Mean, double StandardDeviation, double StandardError)
{
    /// <exception cref="ArgumentException">No values, or a value that is not finite.</exception>
    public static SampleSummary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("a summary needs at least one value");
        if (values.Any(v => !double.IsFinite(v))) throw new ArgumentException("values must be finite");
        var n = values.Count;
        var mean = values.Average();
        if (n == 1) return new SampleSummary(1, mean, 0, double.NaN);
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var sd = Math.Sqrt(variance);
        return new SampleSummary(n, mean, sd, sd / Math.Sqrt(n));
    }
}
