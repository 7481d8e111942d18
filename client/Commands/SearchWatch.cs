using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// Follows a study until it ends, polling its status: a live table on a terminal, one line per
/// change when the progress stream is a file or a pipe (so logs stay readable). Cancelling the
/// token stops the watching only; the study runs on in the cluster.
/// </summary>
public static class SearchWatch
{
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(750);

    /// <summary>The study's status once it has completed, failed or been cancelled.</summary>
    public static async Task<StudyStatus> UntilFinishedAsync(IGrainFactory grains, string study, TextWriter progress,
        CancellationToken ct, TimeSpan? poll = null)
    {
        var grain = grains.GetGrain<IStudyGrain>(study);
        var interval = poll ?? DefaultPoll;
        Task<StudyStatus> Poll() => ClusterRetry.Query(() => grain.GetStatus(), ct);

        var status = await Poll();
        if (SearchStatusView.IsFinished(status.State)) return status;

        if (ReferenceEquals(progress, Console.Error) && !Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            // The live view is cleared at the end: the caller prints the final table on stdout.
            await console.Live(SearchStatusView.Render(status, TableLayout.IsCompact(Console.Error))).AutoClear(true).StartAsync(async live =>
            {
                while (!SearchStatusView.IsFinished(status.State))
                {
                    await Task.Delay(interval, ct);
                    status = await Poll();
                    live.UpdateTarget(SearchStatusView.Render(status, TableLayout.IsCompact(Console.Error)));
                }
            });
            return status;
        }

        var last = "";
        while (true)
        {
            var line = $"{status.Study}: {SearchStatusView.Name(status.State)}, {SearchStatusView.TrialsDone(status)}/{status.TrialBudget} done"
                + (status.Trials.Count > 0 ? $" ({SearchStatusView.Counts(status)})" : "")
                + (status.Best is { } best ? $", best {best.Objective} {SearchStatusView.Format(best.Value)}" : "");
            if (line != last) await progress.WriteLineAsync(line);
            last = line;
            if (SearchStatusView.IsFinished(status.State)) return status;
            await Task.Delay(interval, ct);
            status = await Poll();
        }
    }

    /// <summary>0 when the study completed, else 1 (failed or cancelled).</summary>
    public static int ExitCode(StudyState state) => state == StudyState.Completed ? 0 : CommandLineExit.Failed;
}
