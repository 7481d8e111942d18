namespace BeyondNll.Search.Samplers.Tpe;

/// <summary>
/// What a <see cref="ParzenEstimator"/> is built from: per axis, the observed internal values in
/// trial order (the order the kernels' weights follow), and the same observations' indices in
/// ascending order of value, equal values in trial order (what a univariate kernel's width is read
/// from: the gaps to its sorted neighbours).
/// </summary>
public sealed class ParzenObservations
{
    public ParzenObservations(double[][] values, int[][] ascending)
    {
        if (values.Length != ascending.Length)
            throw new ArgumentException("one value order per axis");
        for (var a = 0; a < values.Length; a++)
            if (values[a].Length != values[0].Length || ascending[a].Length != values[a].Length)
                throw new ArgumentException("every axis holds the same observations, and each order all of them");
        Values = values;
        Ascending = ascending;
    }

    /// <summary>Per axis, the observed internal values, trials in chronological order.</summary>
    public double[][] Values { get; }

    /// <summary>Per axis, indices into <see cref="Values"/> by ascending value, equal values in trial order.</summary>
    public int[][] Ascending { get; }

    public int Count => Values.Length == 0 ? 0 : Values[0].Length;

    /// <summary>Observations given only in trial order: their value orders are sorted here.</summary>
    public static ParzenObservations Sort(IReadOnlyList<double[]> values) =>
        new(values.ToArray(),
            values.Select(v => Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray()).ToArray()); // OrderBy is stable
}
