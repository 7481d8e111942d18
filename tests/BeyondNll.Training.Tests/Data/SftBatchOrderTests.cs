using BeyondNll.Training.Data;

namespace BeyondNll.Training.Tests.Data;

public sealed class SftBatchOrderTests
{
    [Fact]
    public void Each_epoch_visits_distinct_indices_in_full_batches()
    {
        var order = new SftBatchOrder(count: 10, batchSize: 3, seed: 1);

        var epochs = order.Batches().Take(3 * order.BatchesPerEpoch).Chunk(order.BatchesPerEpoch).ToList();

        Assert.Equal(3, order.BatchesPerEpoch);
        foreach (var epoch in epochs)
        {
            Assert.All(epoch, batch => Assert.Equal(3, batch.Length));
            var indices = epoch.SelectMany(b => b).ToList();
            Assert.Equal(9, indices.Distinct().Count());
            Assert.All(indices, i => Assert.InRange(i, 0, 9));
        }
        Assert.NotEqual(epochs[0].SelectMany(b => b), epochs[1].SelectMany(b => b));
    }

    [Fact]
    public void The_same_seed_gives_the_same_order_and_another_seed_another()
    {
        static List<int> First(int seed) => new SftBatchOrder(50, 5, seed).Batches().Take(25).SelectMany(b => b).ToList();

        Assert.Equal(First(7), First(7));
        Assert.NotEqual(First(7), First(8));
    }

    [Fact]
    public void Over_many_epochs_every_example_is_visited()
    {
        var seen = new SftBatchOrder(10, 4, seed: 3).Batches().Take(20).SelectMany(b => b).ToHashSet();

        Assert.Equal(10, seen.Count);
    }

    [Fact]
    public void A_batch_larger_than_the_data_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SftBatchOrder(count: 3, batchSize: 4, seed: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SftBatchOrder(count: 3, batchSize: 0, seed: 0));
    }
}
