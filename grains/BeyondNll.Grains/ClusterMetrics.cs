using System.Diagnostics.Metrics;
using BeyondNll.Grains.Devices;

namespace BeyondNll.Grains;

/// <summary>
/// The silo's metrics, on the "BeyondNll.Cluster" meter of System.Diagnostics.Metrics, where an
/// OpenTelemetry exporter (or dotnet-counters) can pick them up: trials running, the busy share of
/// this silo's devices, and trial attempt durations by outcome.
/// </summary>
public sealed class ClusterMetrics : IDisposable
{
    public const string MeterName = "BeyondNll.Cluster";

    readonly Meter meter;
    readonly UpDownCounter<int> running;
    readonly Histogram<double> durations;

    public ClusterMetrics(DeviceSlots slots)
    {
        meter = new Meter(MeterName);
        running = meter.CreateUpDownCounter<int>("bnll.trials.running", description: "Trial attempts training on this silo now");
        durations = meter.CreateHistogram<double>("bnll.trial.duration", unit: "s", description: "Wall time of finished trial attempts");
        meter.CreateObservableGauge("bnll.devices.busy_share", () => slots.BusyShare, description: "Share of this silo's device slots in use");
        running.Add(0); // so that the series reads 0 before the first attempt, not absent
    }

    public void AttemptStarted() => running.Add(1);

    public void AttemptEnded(double seconds, TrialRunState outcome)
    {
        running.Add(-1);
        durations.Record(seconds, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
    }

    public void Dispose() => meter.Dispose();
}
