namespace BeyondNll.Client.Bench;

/// <summary>One stretch of work on one device: a trial's workload from its start to its end.</summary>
/// <param name="Device">Which device (a silo's slot, or an Optuna worker process).</param>
public sealed record DeviceRun(string Device, DateTimeOffset Started, DateTimeOffset Ended);

/// <summary>What orchestration costs, from the device runs of one study.</summary>
/// <param name="Trials">Runs counted (every trial that ran its workload).</param>
/// <param name="SpanSeconds">From the study's start to the end of its last run.</param>
/// <param name="FreeToRunningMedianMs">Median over all devices of the time from one run's end to the next run's start on the same device; null with no such pair.</param>
/// <param name="Gaps">How many such free-to-running pairs there were.</param>
/// <param name="IdleShare">Share of devices × span in which the devices ran nothing.</param>
public sealed record OrchestrationFigures(int Trials, int Devices, double SpanSeconds, double TrialsPerMinute,
    double? FreeToRunningMedianMs, double? FreeToRunningP99Ms, int Gaps, double IdleShare);

/// <summary>
/// The three figures of the orchestration benchmark, computed the same way for the cluster and for
/// its Optuna anchor: trials per minute over the study's span; the time from a device falling free
/// to its next trial running, per device (both ends read on the device's own clock); and the share
/// of device time spent idle over the span, ramp-up and tail included. Pure: timestamps in, figures out.
/// </summary>
public static class OrchestrationMetrics
{
    /// <param name="runs">Every run of the study; devices that never ran count as idle through the span.</param>
    /// <param name="devices">Devices the study could use (N silos × D devices, or the anchor's workers).</param>
    /// <param name="spanStart">When the study was started (the moment the benchmark asked for it).</param>
    /// <exception cref="ArgumentException">No runs, no devices, more devices ran than there are, or a run before the span.</exception>
    /// <exception cref="InvalidDataException">One device ran two trials at once: the timestamps are wrong.</exception>
    public static OrchestrationFigures Compute(IReadOnlyList<DeviceRun> runs, int devices, DateTimeOffset spanStart)
    {
        if (runs.Count == 0) throw new ArgumentException("no trial ran, so there is nothing to measure");
        if (devices <= 0) throw new ArgumentException($"devices must be positive, got {devices}");
        var byDevice = runs.GroupBy(r => r.Device).ToList();
        if (byDevice.Count > devices) throw new ArgumentException($"{byDevice.Count} devices ran trials, but only {devices} were counted");
        if (runs.Any(r => r.Started < spanStart)) throw new ArgumentException("a run started before the span did");
        if (runs.FirstOrDefault(r => r.Ended < r.Started) is { } backwards)
            throw new InvalidDataException($"a run on {backwards.Device} ended before it started");

        var spanEnd = runs.Max(r => r.Ended);
        var span = (spanEnd - spanStart).TotalSeconds;
        var gaps = new List<double>();
        foreach (var device in byDevice)
        {
            var ordered = device.OrderBy(r => r.Started).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var gap = (ordered[i].Started - ordered[i - 1].Ended).TotalMilliseconds;
                if (gap < 0) throw new InvalidDataException($"{device.Key} ran two trials at once ({-gap:F1} ms overlap)");
                gaps.Add(gap);
            }
        }
        var busy = runs.Sum(r => (r.Ended - r.Started).TotalSeconds);
        var idle = span > 0 ? Math.Clamp(1 - busy / (devices * span), 0, 1) : 0;
        return new OrchestrationFigures(runs.Count, devices, span, span > 0 ? runs.Count / (span / 60) : 0,
            gaps.Count > 0 ? Percentile(gaps, 0.5) : null, gaps.Count > 0 ? Percentile(gaps, 0.99) : null, gaps.Count, idle);
    }

    /// <summary>The q-quantile with linear interpolation between the closest ranks (numpy's default).</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) throw new ArgumentException("no values");
        if (q is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile is between 0 and 1");
        var sorted = values.Order().ToList();
        var position = q * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
