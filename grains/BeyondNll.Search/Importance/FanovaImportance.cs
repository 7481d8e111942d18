using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Search.Importance;

/// <summary>Settings of <see cref="FanovaImportance"/>; the defaults are Optuna's FanovaImportanceEvaluator's.</summary>
public sealed record FanovaOptions
{
    public int Trees { get; init; } = 64;
    public int MaxDepth { get; init; } = 64;
    public ulong Seed { get; init; }
}

/// <summary>
/// Parameter importance by fANOVA on a random forest (Hutter, Hoos and Leyton-Brown, "An Efficient
/// Approach for Assessing Hyperparameter Importance", ICML 2014; Optuna's default evaluator). A
/// forest of regression trees is fitted to the completed trials (value against parameters); each
/// tree is a piecewise-constant function on boxes of the parameter domain, so its variance over the
/// whole domain (uniform over each parameter's range, on the scale the sampler uses: log10 for log
/// parameters; uniform over a categorical's choices) splits exactly into parts per parameter. A
/// parameter's importance is the variance of the tree's prediction averaged over all other parameters
/// (its main effect), divided by the tree's total variance, averaged over the trees; the shares are
/// then normalised to sum to 1, as Optuna reports them. Interactions are not attributed to either
/// parameter, so before normalisation the shares of a function with interactions sum to less than 1.
/// </summary>
/// <remarks>
/// Like Optuna's, only parameters that every trial has are assessed: a conditional parameter (k
/// exists only for the power family) counts once all trials used have it. The forest differs from
/// scikit-learn's in one respect: a categorical parameter is split into sets of choices, not one-hot
/// columns, so its share is exact for the tree (one-hot columns would average over choices no trial
/// can take together).
/// </remarks>
public static class FanovaImportance
{
    /// <summary>Trials fewer than this say nothing about importance.</summary>
    public const int MinimumTrials = 2;

    /// <summary>
    /// Each assessed parameter's share of the variance of the completed trials' values, summing to 1;
    /// empty when fewer than <see cref="MinimumTrials"/> trials completed or their values do not vary.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(SearchSpace space, IReadOnlyList<TrialRecord> trials, FanovaOptions? options = null)
    {
        options ??= new FanovaOptions();
        var done = trials.Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v)).ToList();
        var parameters = space.Parameters.Where(p => done.All(t => t.Params.ContainsKey(p.Name))).ToList();
        if (done.Count < MinimumTrials || parameters.Count == 0) return new Dictionary<string, double>();

        var features = parameters.Select(ImportanceFeature.Of).ToList();
        var x = done.Select(t => parameters.Select(p => ImportanceFeature.Encode(p, t.Params[p.Name])).ToArray()).ToArray();
        var y = done.Select(t => t.Value!.Value).ToArray();
        var shares = Shares(features, x, y, options);
        var total = shares.Sum();
        if (!(total > 0)) return new Dictionary<string, double>();
        return parameters.Select((p, i) => (p.Name, Share: shares[i] / total))
            .OrderByDescending(s => s.Share).ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToDictionary(s => s.Name, s => s.Share);
    }

    /// <summary>Each feature's main-effect variance over the total, averaged over the trees of a forest fitted to (x, y).</summary>
    public static double[] Shares(IReadOnlyList<ImportanceFeature> features, double[][] x, double[] y, FanovaOptions options)
    {
        var random = new SeededRandom(options.Seed);
        var sums = new double[features.Count];
        var trees = 0;
        for (var t = 0; t < options.Trees; t++)
        {
            // A bootstrap sample: as many rows as there are, drawn with replacement.
            var rows = Enumerable.Range(0, y.Length).Select(_ => (int)random.NextLong(y.Length)).ToArray();
            var tree = RegressionTree.Fit(features, x, y, rows, options.MaxDepth);
            var (mean, variance) = Moments(tree, features);
            if (!(variance > 1e-300)) continue; // a tree that predicts one value explains nothing
            for (var f = 0; f < features.Count; f++) sums[f] += MarginalVariance(tree, features, f, mean) / variance;
            trees++;
        }
        return sums.Select(s => trees == 0 ? 0 : s / trees).ToArray();
    }

    /// <summary>The mean and variance of the tree's prediction over the whole domain: leaves weighted by their volume.</summary>
    static (double Mean, double Variance) Moments(RegressionTree tree, IReadOnlyList<ImportanceFeature> features)
    {
        var weights = tree.Leaves.Select(l => Volume(l, features, skip: -1)).ToArray();
        var mean = tree.Leaves.Select((l, i) => weights[i] * l.Value).Sum();
        var variance = tree.Leaves.Select((l, i) => weights[i] * (l.Value - mean) * (l.Value - mean)).Sum();
        return (mean, variance);
    }

    /// <summary>
    /// The variance, over feature f's domain, of the prediction averaged over every other feature: at
    /// each value of f, the sum over the leaves whose box holds it of value × the box's volume in the
    /// other features. Piecewise constant between the leaves' edges (numeric) or per choice (categorical).
    /// </summary>
    static double MarginalVariance(RegressionTree tree, IReadOnlyList<ImportanceFeature> features, int f, double mean)
    {
        var feature = features[f];
        var contributions = tree.Leaves.Select(l => l.Value * Volume(l, features, skip: f)).ToArray();
        if (feature.IsCategorical)
        {
            var variance = 0.0;
            for (var c = 0; c < feature.Choices; c++)
            {
                var marginal = tree.Leaves.Select((l, i) => (l.Choices[f] >> c & 1) == 1 ? contributions[i] : 0).Sum();
                variance += (marginal - mean) * (marginal - mean) / feature.Choices;
            }
            return variance;
        }
        // Sweep the leaves' edges along f: entering a leaf adds its contribution, leaving removes it.
        var edges = tree.Leaves.SelectMany((l, i) => new[] { (At: l.Low[f], Delta: contributions[i]), (At: l.High[f], Delta: -contributions[i]) })
            .OrderBy(e => e.At).ToList();
        var range = feature.High - feature.Low;
        var (level, result) = (0.0, 0.0);
        for (var i = 0; i < edges.Count; i++)
        {
            level += edges[i].Delta;
            if (i + 1 < edges.Count && edges[i + 1].At > edges[i].At)
                result += (edges[i + 1].At - edges[i].At) / range * (level - mean) * (level - mean);
        }
        return result;
    }

    /// <summary>The share of the domain a leaf's box covers, leaving out feature <paramref name="skip"/>.</summary>
    static double Volume(RegressionTree.Leaf leaf, IReadOnlyList<ImportanceFeature> features, int skip)
    {
        var volume = 1.0;
        for (var g = 0; g < features.Count; g++)
        {
            if (g == skip) continue;
            volume *= features[g].IsCategorical
                ? (double)ulong.PopCount(leaf.Choices[g]) / features[g].Choices
                : (leaf.High[g] - leaf.Low[g]) / (features[g].High - features[g].Low);
        }
        return volume;
    }
}
