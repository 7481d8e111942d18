namespace BeyondNll.Search.Importance;

/// <summary>
/// A regression tree (CART: each split the one that most reduces the squared error) over
/// <see cref="ImportanceFeature"/>s, kept as what fANOVA needs: its leaves, each a box of the
/// parameter domain (an interval per numeric feature, a set of choices per categorical one) with
/// the mean value of the trials that fell in it. The boxes tile the whole domain.
/// </summary>
public sealed class RegressionTree
{
    /// <summary>One leaf: its box and its prediction.</summary>
    public sealed record Leaf(double[] Low, double[] High, ulong[] Choices, double Value);

    public IReadOnlyList<Leaf> Leaves { get; }

    readonly IReadOnlyList<ImportanceFeature> features;

    RegressionTree(IReadOnlyList<ImportanceFeature> features, IReadOnlyList<Leaf> leaves) => (this.features, Leaves) = (features, leaves);

    /// <summary>Grows a tree on the rows <paramref name="rows"/> of <paramref name="x"/> (repeats allowed: a bootstrap sample).</summary>
    /// <param name="maxDepth">Splits along a path at most; nodes of one row, or of equal values, are leaves anyway.</param>
    public static RegressionTree Fit(IReadOnlyList<ImportanceFeature> features, double[][] x, double[] y, int[] rows, int maxDepth)
    {
        var low = features.Select(f => f.Low).ToArray();
        var high = features.Select(f => f.High).ToArray();
        var choices = features.Select(f => f.IsCategorical ? AllChoices(f.Choices) : 0UL).ToArray();
        var leaves = new List<Leaf>();
        new Grower(features, x, y, rows, maxDepth, leaves).Grow(0, rows.Length, low, high, choices, 0);
        return new RegressionTree(features, leaves);
    }

    /// <summary>The prediction at a point (a categorical feature's value is its choice index).</summary>
    public double Predict(double[] point)
    {
        foreach (var leaf in Leaves)
        {
            var inside = true;
            for (var f = 0; f < point.Length && inside; f++)
            {
                inside = leaf.Choices[f] != 0
                    ? (leaf.Choices[f] >> (int)point[f] & 1) == 1
                    : point[f] >= leaf.Low[f] && (point[f] < leaf.High[f] || point[f] == features[f].High && leaf.High[f] == features[f].High);
            }
            if (inside) return leaf.Value;
        }
        throw new ArgumentException("the point lies outside the tree's domain");
    }

    internal static ulong AllChoices(int count) => count >= 64 ? ulong.MaxValue : (1UL << count) - 1;

    /// <summary>
    /// Grows a tree the way CART does it fast: the sample is sorted once per numeric feature, and each
    /// node is one stretch of those orders, which a split partitions stably into its two children,
    /// so each level of the tree costs one pass over the sample per feature.
    /// </summary>
    sealed class Grower
    {
        readonly IReadOnlyList<ImportanceFeature> features;
        readonly double[][] x;
        readonly double[] y;
        readonly int[] rows;        // sample position → row of x and y (a bootstrap sample repeats rows)
        readonly int[][] order;     // per feature: sample positions, each node a stretch, sorted by the feature when numeric
        readonly bool[] left;       // per sample position: goes to the left child of the split being made
        readonly int[] buffer;
        readonly int maxDepth;
        readonly List<Leaf> leaves;

        public Grower(IReadOnlyList<ImportanceFeature> features, double[][] x, double[] y, int[] rows, int maxDepth, List<Leaf> leaves)
        {
            (this.features, this.x, this.y, this.rows, this.maxDepth, this.leaves) = (features, x, y, rows, maxDepth, leaves);
            order = new int[features.Count][];
            for (var f = 0; f < features.Count; f++)
            {
                var positions = Enumerable.Range(0, rows.Length).ToArray();
                if (!features[f].IsCategorical)
                {
                    var keys = positions.Select(p => x[rows[p]][f]).ToArray();
                    Array.Sort(keys, positions);
                }
                order[f] = positions;
            }
            left = new bool[rows.Length];
            buffer = new int[rows.Length];
        }

        public void Grow(int start, int end, double[] low, double[] high, ulong[] choices, int depth)
        {
            var split = depth < maxDepth && end - start >= 2 ? BestSplit(start, end, choices) : null;
            if (split is not { } s)
            {
                var sum = 0.0;
                for (var i = start; i < end; i++) sum += y[rows[order[0][i]]];
                leaves.Add(new Leaf(low, high, choices, sum / (end - start)));
                return;
            }
            var f = s.Feature;
            for (var i = start; i < end; i++)
            {
                var p = order[f][i];
                left[p] = GoesLeft(s, x[rows[p]][f]);
            }
            var middle = start;
            foreach (var positions in order) middle = Partition(positions, start, end);
            if (features[f].IsCategorical)
            {
                Grow(start, middle, low, high, With(choices, f, s.LeftChoices), depth + 1);
                Grow(middle, end, low, high, With(choices, f, choices[f] & ~s.LeftChoices), depth + 1);
            }
            else
            {
                Grow(start, middle, low, With(high, f, s.Threshold), choices, depth + 1);
                Grow(middle, end, With(low, f, s.Threshold), high, choices, depth + 1);
            }
        }

        /// <summary>Puts the stretch's left positions first, each side in its former order; returns where the right side begins.</summary>
        int Partition(int[] positions, int start, int end)
        {
            var (l, r) = (start, 0);
            for (var i = start; i < end; i++)
            {
                if (left[positions[i]]) positions[l++] = positions[i];
                else buffer[r++] = positions[i];
            }
            Array.Copy(buffer, 0, positions, l, r);
            return l;
        }

        static bool GoesLeft(Split s, double value) =>
            s.LeftChoices != 0 ? (s.LeftChoices >> (int)value & 1) == 1 : value < s.Threshold;

        /// <summary>The split that most reduces the squared error, or null when none reduces it.</summary>
        Split? BestSplit(int start, int end, ulong[] choices)
        {
            var (sum, squares) = (0.0, 0.0);
            for (var i = start; i < end; i++)
            {
                var v = y[rows[order[0][i]]];
                sum += v;
                squares += v * v;
            }
            var parent = squares - sum * sum / (end - start);
            // Equal values (up to rounding) leave nothing to explain.
            var best = new Split(-1, 0, 0, parent - 1e-12 * Math.Max(1, Math.Abs(squares)));
            for (var f = 0; f < features.Count; f++)
            {
                var candidate = features[f].IsCategorical
                    ? CategoricalSplit(f, start, end, choices[f], sum, squares)
                    : NumericSplit(f, start, end, sum, squares);
                if (candidate is { } c && c.Error < best.Error) best = c;
            }
            return best.Feature >= 0 ? best : null;
        }

        /// <summary>The best threshold between two distinct values of feature f, at their midpoint.</summary>
        Split? NumericSplit(int f, int start, int end, double totalSum, double totalSquares)
        {
            var positions = order[f];
            Split? best = null;
            var (sum, squares) = (0.0, 0.0);
            for (var i = start + 1; i < end; i++)
            {
                var previous = rows[positions[i - 1]];
                sum += y[previous];
                squares += y[previous] * y[previous];
                var (a, b) = (x[previous][f], x[rows[positions[i]]][f]);
                if (a == b) continue;
                var count = i - start;
                var error = Error(sum, squares, count) + Error(totalSum - sum, totalSquares - squares, end - start - count);
                if (best is null || error < best.Value.Error) best = new Split(f, (a + b) / 2, 0, error);
            }
            return best;
        }

        /// <summary>
        /// The best set of choices to send left: the choices present, ordered by their mean value,
        /// cut where the error is least (Breiman's ordering, exact for squared error). Choices no row
        /// of this node has go with the larger side.
        /// </summary>
        Split? CategoricalSplit(int f, int start, int end, ulong allowed, double totalSum, double totalSquares)
        {
            var k = features[f].Choices;
            var (counts, sums, squareSums) = (new int[k], new double[k], new double[k]);
            for (var i = start; i < end; i++)
            {
                var row = rows[order[f][i]];
                var c = (int)x[row][f];
                counts[c]++;
                sums[c] += y[row];
                squareSums[c] += y[row] * y[row];
            }
            var (present, means, seen) = (new int[k], new double[k], 0);
            for (var c = 0; c < k; c++)
                if (counts[c] > 0) (present[seen], means[seen], seen) = (c, sums[c] / counts[c], seen + 1);
            if (seen < 2) return null;
            Array.Sort(means, present, 0, seen); // by mean value (the same input always sorts the same way)
            var presentMask = 0UL;
            for (var i = 0; i < seen; i++) presentMask |= 1UL << present[i];
            var absent = allowed & ~presentMask;
            Split? best = null;
            var (sum, squares, count, mask) = (0.0, 0.0, 0, 0UL);
            for (var i = 0; i < seen - 1; i++)
            {
                var c = present[i];
                (sum, squares, count, mask) = (sum + sums[c], squares + squareSums[c], count + counts[c], mask | 1UL << c);
                var error = Error(sum, squares, count) + Error(totalSum - sum, totalSquares - squares, end - start - count);
                if (best is null || error < best.Value.Error)
                    best = new Split(f, 0, count * 2 >= end - start ? mask | absent : mask, error);
            }
            return best;
        }

        static double Error(double sum, double squares, int count) => count == 0 ? 0 : squares - sum * sum / count;

        static T[] With<T>(T[] values, int index, T value)
        {
            var copy = (T[])values.Clone();
            copy[index] = value;
            return copy;
        }
    }

    /// <summary>A split on one feature: numeric ones at <see cref="Threshold"/> (below goes left), categorical ones by <see cref="LeftChoices"/>.</summary>
    readonly record struct Split(int Feature, double Threshold, ulong LeftChoices, double Error);
}
