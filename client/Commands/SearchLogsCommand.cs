using System.CommandLine;
using System.Text;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll search logs NAME --trial N [--follow]</c>: the logs of a trial's attempts, oldest first, each
/// under a header naming its silo and device. They are read through the cluster (<see cref="IArtifactGrain"/>)
/// from the artifact folder where the attempts wrote them; with --follow, new lines (and the logs of
/// attempts that follow) are printed as they come until the trial ends.
/// </summary>
public static class SearchLogsCommand
{
    static readonly TimeSpan DefaultPoll = TimeSpan.FromSeconds(1);

    /// <summary>Bytes asked for per call.</summary>
    const int Chunk = 1 << 20;

    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The study's name." };
        var trial = new Option<int>("--trial") { Description = "The trial's number (as status shows it).", Required = true };
        var follow = new Option<bool>("--follow") { Description = "Keep printing new lines until the trial ends (Ctrl-C stops following, not the trial)." };
        return ClusterCommandLine.Create("logs", "Print the logs of a trial's attempts: what its worker wrote, how each attempt ended.",
            [name, trial, follow], (parse, grains, ct) =>
                LogsAsync(grains, parse.GetValue(name)!, parse.GetValue(trial), parse.GetValue(follow), Console.Out, ct));
    }

    /// <exception cref="ArgumentException">No such study or trial.</exception>
    public static async Task<int> LogsAsync(IGrainFactory grains, string study, int trial, bool follow, TextWriter output,
        CancellationToken ct, TimeSpan? poll = null)
    {
        var status = await SearchCommand.GetStatusAsync(grains, study, ct);
        if (trial < 0 || trial >= status.Trials.Count)
            throw new ArgumentException($"study {study} has no trial {trial}" +
                (status.Trials.Count == 0 ? " (it has none yet)" : $" (its trials are 0 to {status.Trials.Count - 1})"));
        var artifacts = grains.GetGrain<IArtifactGrain>(0);
        var attempt = 1;     // the attempt being printed
        var headed = 0;      // the last attempt whose header is printed
        long offset = 0;     // how much of its log is printed
        var decoder = Encoding.UTF8.GetDecoder();
        try
        {
            while (true)
            {
                var view = status.Trials[trial];
                for (; attempt <= view.Attempts.Count; attempt++, offset = 0, decoder.Reset())
                {
                    var a = view.Attempts[attempt - 1];
                    if (headed < attempt)
                    {
                        await output.WriteLineAsync($"== trial {trial} attempt {a.Attempt} on {a.Silo} {a.Device}, started {a.Started:u} ==");
                        headed = attempt;
                    }
                    while (true)
                    {
                        var chunk = await ClusterRetry.Query(() => artifacts.ReadLog(study, trial, a.Attempt, offset, Chunk), ct);
                        if (chunk.Length < 0 && a.Ended is not null)
                            await output.WriteLineAsync("(no log: the attempt ran before logs were kept, or on a host whose artifact folder this silo does not share)");
                        if (chunk.Data.Length == 0) break;
                        var text = new char[decoder.GetCharCount(chunk.Data, 0, chunk.Data.Length)];
                        decoder.GetChars(chunk.Data, 0, chunk.Data.Length, text, 0);
                        await output.WriteAsync(text);
                        offset += chunk.Data.Length;
                    }
                    // The last attempt may still be writing: follow it rather than move on.
                    if (attempt == view.Attempts.Count && a.Ended is null) break;
                }
                var over = view.State is not (TrialRunState.Pending or TrialRunState.Running);
                if (!follow || (over && attempt > view.Attempts.Count)) return 0;
                await Task.Delay(poll ?? DefaultPoll, ct);
                status = await SearchCommand.GetStatusAsync(grains, study, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return CommandLineExit.Interrupted;
        }
    }
}
