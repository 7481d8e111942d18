using System.Diagnostics;
using System.Text.Json;

namespace BeyondNll.Client.Bench;

/// <summary>
/// The anchor's side: Optuna with RDB storage on PostgreSQL, one worker process per device
/// (bench/optuna_rdb_anchor.py). Its figures are computed twice: from the objective's own
/// timestamps around its sleep (<see cref="Work"/>, the same definition as the cluster's devices)
/// and from Optuna's datetime_start and datetime_complete (<see cref="Datetimes"/>; these count the
/// sampling and the storage writes of a trial as busy time, so they flatter the anchor).
/// </summary>
public sealed record AnchorResult(string Optuna, string Postgres, string SynchronousCommit, int Workers,
    OrchestrationFigures Work, OrchestrationFigures Datetimes);

public static class OptunaAnchor
{
    /// <summary>Runs the anchor script with <paramref name="python"/> and reads its JSON.</summary>
    /// <exception cref="InvalidOperationException">The script failed (its error is in the message).</exception>
    public static async Task<AnchorResult> Run(string python, string script, int workers, int trials, double seconds,
        string sampler, int seed, Action<string> log, CancellationToken ct)
    {
        var start = new ProcessStartInfo(python)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { script, "--workers", $"{workers}", "--trials", $"{trials}",
                     "--seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--sampler", sampler, "--seed", $"{seed}" })
            start.ArgumentList.Add(a);
        log($"anchor: {python} {string.Join(' ', start.ArgumentList)}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (errors) errors.Add(e.Data);
            log($"  {e.Data}");
        };
        process.BeginErrorReadLine();
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            lock (errors)
                throw new InvalidOperationException($"the Optuna anchor failed (exit {process.ExitCode}): {string.Join(" | ", errors.TakeLast(5))}");
        }
        return Parse(output, workers);
    }

    /// <summary>The figures from the anchor script's JSON (see bench/optuna_rdb_anchor.py).</summary>
    /// <exception cref="InvalidDataException">The output is not the script's JSON.</exception>
    public static AnchorResult Parse(string json, int workers)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var spanStart = Time(root.GetProperty("span_start").GetDouble());
            var runs = root.GetProperty("runs").EnumerateArray().ToList();
            var complete = runs.Where(r => r.GetProperty("state").GetString() == "complete").ToList();
            var work = complete.Select(r => new DeviceRun($"w{r.GetProperty("worker").GetInt32()}",
                Time(r.GetProperty("work_started").GetDouble()), Time(r.GetProperty("work_ended").GetDouble()))).ToList();
            var datetimes = complete.Select(r => new DeviceRun($"w{r.GetProperty("worker").GetInt32()}",
                Time(r.GetProperty("datetime_start").GetDouble()), Time(r.GetProperty("datetime_complete").GetDouble()))).ToList();
            return new AnchorResult(root.GetProperty("optuna").GetString()!, root.GetProperty("postgres").GetString()!,
                root.GetProperty("synchronous_commit").GetString()!, workers,
                OrchestrationMetrics.Compute(work, workers, spanStart),
                OrchestrationMetrics.Compute(datetimes, workers, spanStart));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"the Optuna anchor's output is not what bench/optuna_rdb_anchor.py prints: {e.Message}", e);
        }
    }

    static DateTimeOffset Time(double unixSeconds) => DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(unixSeconds * TimeSpan.TicksPerSecond));
}
