using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Training.Tests.Checkpoints;

/// <summary>
/// When a run writes a checkpoint: an interval somebody chose is kept exactly, step by step; the default
/// one (5% of the steps) also waits for the host's time floor, so that a short trial writes none.
/// </summary>
public class CheckpointCadenceTests
{
    /// <summary>The steps of a run of <paramref name="steps"/> that write a checkpoint when each step takes <paramref name="secondsPerStep"/>.</summary>
    static List<int> Written(CheckpointCadence cadence, int steps, double secondsPerStep)
    {
        var written = new List<int>();
        var last = 0;
        for (var step = 1; step <= steps; step++)
        {
            if (!cadence.Due(step, steps, (step - last) * secondsPerStep)) continue;
            written.Add(step);
            last = step;
        }
        return written;
    }

    static TrainingRecipe Steps(int steps, int checkpointEvery = 0) => TrainingRecipe.Default with { Steps = steps, CheckpointEvery = checkpointEvery };

    [Theory]
    [InlineData(7, 0)]   // the recipe's checkpoint_every
    [InlineData(0, 7)]   // the silo's --checkpoint-every
    [InlineData(7, 25)]  // both: the recipe's
    public void An_interval_somebody_chose_writes_at_exactly_its_steps_however_fast_the_steps(int recipe, int host)
    {
        var cadence = CheckpointCadence.Of(Steps(30, recipe), host, hostMinSeconds: 60);

        Assert.Equal(new CheckpointCadence(7, 0), cadence);
        Assert.Equal([7, 14, 21, 28], Written(cadence, 30, secondsPerStep: 0.001));
    }

    [Fact]
    public void The_default_interval_of_a_trial_shorter_than_the_floor_writes_no_checkpoint()
    {
        // 60 steps of 0.1 s (the tiny decoder on a CPU): 6 s of training against a floor of 60 s.
        var cadence = CheckpointCadence.Of(Steps(60), hostEvery: 0, hostMinSeconds: 60);

        Assert.Equal(new CheckpointCadence(3, 60), cadence);
        Assert.Empty(Written(cadence, 60, secondsPerStep: 0.1));
    }

    [Fact]
    public void The_default_interval_of_a_trial_whose_five_percent_outlasts_the_floor_writes_every_five_percent()
    {
        // 2000 steps of 1 s: 5% is 100 steps, 100 s > 60 s.
        var cadence = CheckpointCadence.Of(Steps(2000), hostEvery: 0, hostMinSeconds: 60);

        Assert.Equal(Enumerable.Range(1, 19).Select(i => i * 100), Written(cadence, 2000, secondsPerStep: 1));
    }

    [Fact]
    public void Between_the_two_the_default_interval_writes_at_the_first_five_percent_step_past_the_floor()
    {
        // 400 steps of 0.5 s: 5% is 20 steps (10 s); the floor of 60 s lets every 6th of them through.
        var cadence = CheckpointCadence.Of(Steps(400), hostEvery: 0, hostMinSeconds: 60);

        Assert.Equal([120, 240, 360], Written(cadence, 400, secondsPerStep: 0.5));
    }

    [Fact]
    public void A_floor_of_zero_keeps_five_percent_however_short_the_trial()
    {
        var cadence = CheckpointCadence.Of(Steps(60), hostEvery: 0, hostMinSeconds: 0);

        Assert.Equal(Enumerable.Range(1, 19).Select(i => i * 3), Written(cadence, 60, secondsPerStep: 0.001));
    }

    [Theory]
    [InlineData(10, 10, 1000)] // the last step: the run is over, its result is what counts
    [InlineData(9, 10, 1000)]  // not an interval's step
    [InlineData(5, 10, 59.9)]  // the floor has not passed
    public void No_checkpoint_is_due(int step, int steps, double secondsSinceLast) =>
        Assert.False(new CheckpointCadence(5, 60).Due(step, steps, secondsSinceLast));

    [Fact]
    public void A_checkpoint_is_due_at_an_intervals_step_once_the_floor_has_passed() =>
        Assert.True(new CheckpointCadence(5, 60).Due(5, 10, 60));
}
