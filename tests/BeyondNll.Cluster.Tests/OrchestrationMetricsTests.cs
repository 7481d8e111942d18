using BeyondNll.Client.Bench;
using BeyondNll.Client.Commands;

namespace BeyondNll.Cluster.Tests;

/// <summary>The figures of `bnll bench cluster` from constructed timestamps, and the anchor's output read back.</summary>
public class OrchestrationMetricsTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    static DeviceRun Run(string device, double startSeconds, double endSeconds) =>
        new(device, At(startSeconds), At(endSeconds));

    static DateTimeOffset At(double seconds) => T0.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    [Fact]
    public void Two_devices_with_known_gaps_give_the_exact_figures()
    {
        // Device a: gaps of 100 ms and 300 ms; device b: one gap of 200 ms. The span is 0 to 4 s.
        var runs = new[]
        {
            Run("a", 0.0, 1.0), Run("a", 1.1, 2.1), Run("a", 2.4, 3.4),
            Run("b", 0.5, 1.5), Run("b", 1.7, 4.0),
        };
        var f = OrchestrationMetrics.Compute(runs, devices: 2, spanStart: T0);

        Assert.Equal(5, f.Trials);
        Assert.Equal(4.0, f.SpanSeconds, 9);
        Assert.Equal(5 / (4.0 / 60), f.TrialsPerMinute, 9);
        Assert.Equal(3, f.Gaps);
        Assert.Equal(200, f.FreeToRunningMedianMs!.Value, 6);
        Assert.Equal(200 + 0.98 * 100, f.FreeToRunningP99Ms!.Value, 6); // between the two largest gaps, as numpy interpolates
        var busy = 1.0 + 1.0 + 1.0 + 1.0 + 2.3;
        Assert.Equal(1 - busy / (2 * 4.0), f.IdleShare, 9);
    }

    [Fact]
    public void A_device_that_never_ran_counts_as_idle_through_the_span()
    {
        var f = OrchestrationMetrics.Compute([Run("a", 0, 1), Run("a", 1, 2)], devices: 2, spanStart: T0);
        Assert.Equal(0.5, f.IdleShare, 9);
        Assert.Equal(0, f.FreeToRunningMedianMs!.Value, 9);
    }

    [Fact]
    public void Time_before_the_first_run_is_idle_too()
    {
        var f = OrchestrationMetrics.Compute([Run("a", 1, 2)], devices: 1, spanStart: T0);
        Assert.Equal(0.5, f.IdleShare, 9);
        Assert.Null(f.FreeToRunningMedianMs); // one run per device: no device fell free and ran again
        Assert.Equal(0, f.Gaps);
    }

    [Theory]
    [InlineData(0.5, 2.5)]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 4.0)]
    [InlineData(0.99, 3.97)]
    public void Percentiles_interpolate_between_the_closest_ranks(double q, double expected)
    {
        Assert.Equal(expected, OrchestrationMetrics.Percentile([4.0, 1.0, 3.0, 2.0], q), 9);
    }

    [Fact]
    public void Timestamps_that_cannot_be_are_refused()
    {
        Assert.Throws<InvalidDataException>(() => OrchestrationMetrics.Compute([Run("a", 0, 1.0), Run("a", 0.9, 2)], 1, T0));
        Assert.Throws<InvalidDataException>(() => OrchestrationMetrics.Compute([Run("a", 2, 1)], 1, T0));
        Assert.Throws<ArgumentException>(() => OrchestrationMetrics.Compute([], 1, T0));
        Assert.Throws<ArgumentException>(() => OrchestrationMetrics.Compute([Run("a", 0, 1), Run("b", 0, 1)], 1, T0));
        Assert.Throws<ArgumentException>(() => OrchestrationMetrics.Compute([Run("a", -1, 1)], 1, T0));
    }

    [Fact]
    public void The_targets_are_judged_against_the_anchor()
    {
        var cluster = OrchestrationMetrics.Compute([Run("a", 0, 1), Run("a", 1.05, 2.05)], 1, T0);
        var anchor = OrchestrationMetrics.Compute([Run("w0", 0, 1), Run("w0", 1.5, 2.5)], 1, T0);
        var t = BenchClusterCommand.Judge(cluster, anchor);
        Assert.Equal(2.5 / 2.05, t.TrialsPerMinuteRatio!.Value, 9);
        Assert.False(t.TrialsPerMinuteAtLeast10x);
        Assert.True(t.FreeToRunningMedianAtMost100Ms);
        Assert.Equal(0.05 / 2.05, cluster.IdleShare, 9); // 2.4%
        Assert.True(t.IdleShareAtMost5Percent);
        Assert.False(BenchClusterCommand.Judge(anchor, null).IdleShareAtMost5Percent); // 0.5 s of 2.5 s: 20%
        Assert.Null(BenchClusterCommand.Judge(cluster, null).TrialsPerMinuteAtLeast10x);
    }

    [Fact]
    public void The_anchor_output_gives_figures_from_the_work_and_from_optunas_datetimes()
    {
        const double s = 1_800_000_000;
        var json = $$"""
            {"anchor":"optuna-rdb","optuna":"3.1.0","postgres":"15.18","synchronous_commit":"off","workers":2,"trials":3,
             "seconds":1.0,"sampler":"tpe","span_start":{{s}},"runs":[
              {"worker":0,"number":0,"work_started":{{s + 0.2}},"work_ended":{{s + 1.2}},"state":"complete","datetime_start":{{s + 0.1}},"datetime_complete":{{s + 1.25}}},
              {"worker":1,"number":1,"work_started":{{s + 0.3}},"work_ended":{{s + 1.3}},"state":"complete","datetime_start":{{s + 0.1}},"datetime_complete":{{s + 1.35}}},
              {"worker":0,"number":2,"work_started":{{s + 1.6}},"work_ended":{{s + 2.6}},"state":"complete","datetime_start":{{s + 1.3}},"datetime_complete":{{s + 2.7}}},
              {"worker":1,"number":3,"work_started":{{s + 1.5}},"work_ended":{{s + 1.6}},"state":"fail","datetime_start":{{s + 1.4}},"datetime_complete":{{s + 1.7}}}]}
            """;
        var a = OptunaAnchor.Parse(json, workers: 2);
        Assert.Equal("3.1.0", a.Optuna);
        Assert.Equal(3, a.Work.Trials); // the failed trial is not counted
        Assert.Equal(400, a.Work.FreeToRunningMedianMs!.Value, 3);
        Assert.Equal(2.6, a.Work.SpanSeconds, 3);
        Assert.Equal(50, a.Datetimes.FreeToRunningMedianMs!.Value, 3);
        Assert.Equal(2.7, a.Datetimes.SpanSeconds, 3);
        Assert.Throws<InvalidDataException>(() => OptunaAnchor.Parse("""{"anchor":"optuna-rdb"}""", 2));
        Assert.Throws<InvalidDataException>(() => OptunaAnchor.Parse("not json", 2));
    }
}
