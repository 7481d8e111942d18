using BeyondNll.Training.Trainer;

namespace BeyondNll.Training.Tests.Trainer;

public class LearningRateScheduleTests
{
    [Fact]
    public void Warms_up_linearly_then_decays_by_cosine_to_zero()
    {
        const int total = 100;
        var lrs = Enumerable.Range(0, total).Select(s => LearningRateSchedule.At(s, total, 1.0, 0.1)).ToArray();
        Assert.Equal(0.1, lrs[0], 12);
        Assert.Equal(0.5, lrs[4], 12);
        Assert.Equal(1.0, lrs[9], 12);
        Assert.Equal(1.0, lrs[10], 12);
        Assert.Equal(0.5, LearningRateSchedule.At(55, total, 1.0, 0.1), 12);
        Assert.True(lrs[^1] < 0.001);
        for (var s = 11; s < total; s++) Assert.True(lrs[s] <= lrs[s - 1]);
    }

    [Fact]
    public void Without_warm_up_the_first_step_is_at_the_peak() =>
        Assert.Equal(2e-4, LearningRateSchedule.At(0, 10, 2e-4, 0), 15);

    [Fact]
    public void The_decay_ends_at_the_minimum_ratio_of_the_peak()
    {
        Assert.Equal(0.1 + 0.9 * 0.5, LearningRateSchedule.At(55, 100, 1.0, 0.1, minRatio: 0.1), 12);
        Assert.Equal(0.1, LearningRateSchedule.At(100, 100, 1.0, 0.1, minRatio: 0.1), 12);
        Assert.Equal(1.0, LearningRateSchedule.At(10, 100, 1.0, 0.1, minRatio: 0.1), 12);
    }
}
