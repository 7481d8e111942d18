namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// Finds the trial with the largest expected improvement under a fitted posterior. EI over a mixed
/// space has many local maxima and no gradient across categorical choices, so the search is by
/// sampling: score a broad pool (uniform draws from the space, and neighbours of the best trials
/// at several distances), then climb from the best few of them with shrinking random steps, which
/// also try other choices of the categoricals. Every candidate is a valid trial (rounded to its
/// grids, only active parameters set, enqueued values pinned), so the score is that of the trial
/// that would run.
/// </summary>
public sealed class AcquisitionSearch(SpaceEncoding encoding, GpOptions options)
{
    static readonly double[] NeighbourScales = [0.01, 0.03, 0.1, 0.3];

    /// <param name="posterior">The model, with pending trials already believed.</param>
    /// <param name="best">The best (smallest) standardised value observed.</param>
    /// <param name="incumbents">Observed points, best first: the pool searches around the first few.</param>
    /// <param name="pinned">Parameter values the trial must take (from an enqueued partial trial).</param>
    public double[] Maximise(GaussianProcess posterior, double best, IReadOnlyList<double[]> incumbents,
        IReadOnlyDictionary<string, double> pinned, SeededRandom rng)
    {
        var flip = encoding.CategoricalFlip;
        var pool = new List<double[]>(options.RandomCandidates + options.LocalCandidates * options.Incumbents);
        for (var i = 0; i < options.RandomCandidates; i++)
            pool.Add(encoding.Neighbour(encoding.RandomPoint(rng), rng, 0, 0, pinned));
        for (var k = 0; k < Math.Min(options.Incumbents, incumbents.Count); k++)
            for (var i = 0; i < options.LocalCandidates; i++)
                pool.Add(encoding.Neighbour(incumbents[k], rng, NeighbourScales[i % NeighbourScales.Length], flip, pinned));
        var scores = Score(posterior, best, pool);

        var order = Enumerable.Range(0, pool.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var winner = pool[order[0]];
        var winnerScore = scores[order[0]];
        foreach (var start in order.Take(options.ClimbStarts))
        {
            var (point, score) = Climb(posterior, best, pool[start], scores[start], flip, pinned, rng);
            if (score > winnerScore)
                (winner, winnerScore) = (point, score);
        }
        return winner;
    }

    /// <summary>
    /// A (1, λ) climb: each round scores a batch of neighbours at the current step and moves to the
    /// best of them if it improves; a round without improvement halves the step.
    /// </summary>
    (double[] Point, double Score) Climb(GaussianProcess posterior, double best, double[] point, double score,
        double flip, IReadOnlyDictionary<string, double> pinned, SeededRandom rng)
    {
        var step = 0.1;
        for (var round = 0; round < options.ClimbRounds && step > 1e-4; round++)
        {
            var batch = new double[options.ClimbBatch][];
            for (var i = 0; i < batch.Length; i++)
                batch[i] = encoding.Neighbour(point, rng, step, flip * 0.5, pinned);
            var batchScores = Score(posterior, best, batch);
            var top = 0;
            for (var i = 1; i < batch.Length; i++)
                if (batchScores[i] > batchScores[top])
                    top = i;
            if (batchScores[top] > score)
                (point, score) = (batch[top], batchScores[top]);
            else
                step *= 0.5;
        }
        return (point, score);
    }

    static double[] Score(GaussianProcess posterior, double best, IReadOnlyList<double[]> points)
    {
        var mean = new double[points.Count];
        var variance = new double[points.Count];
        posterior.Predict(points, mean, variance);
        var scores = new double[points.Count];
        for (var i = 0; i < scores.Length; i++)
            scores[i] = ExpectedImprovement.Log(mean[i], variance[i], best);
        return scores;
    }
}
