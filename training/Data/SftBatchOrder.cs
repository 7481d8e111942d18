namespace BeyondNll.Training.Data;

/// <summary>
/// The order in which a trainer visits its examples: an endless sequence of batches of example
/// indices, reshuffled every epoch, the same for the same seed. Each epoch is a fresh
/// permutation cut into full batches; the few indices left over (count mod batch size) are
/// dropped for that epoch only, and since the next epoch shuffles anew, no example is
/// systematically left out. Full batches keep every step's loss on the same footing.
/// </summary>
public sealed class SftBatchOrder
{
    readonly int count;
    readonly int seed;

    public SftBatchOrder(int count, int batchSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (count < batchSize)
            throw new ArgumentOutOfRangeException(nameof(count),
                $"{count} examples cannot fill one batch of {batchSize}");
        this.count = count;
        this.seed = seed;
        BatchSize = batchSize;
    }

    public int BatchSize { get; }

    public int BatchesPerEpoch => count / BatchSize;

    /// <summary>
    /// Endless: take as many batches as there are steps. Every enumeration starts again from
    /// the seed, so a resumed run can skip ahead to the same place.
    /// </summary>
    public IEnumerable<int[]> Batches()
    {
        var rng = new Random(seed);
        var permutation = Enumerable.Range(0, count).ToArray();
        while (true)
        {
            rng.Shuffle(permutation);
            for (int batch = 0; batch < BatchesPerEpoch; batch++)
                yield return permutation[(batch * BatchSize)..((batch + 1) * BatchSize)];
        }
    }
}
