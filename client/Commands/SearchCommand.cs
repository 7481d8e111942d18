using System.CommandLine;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll search start|status|watch|logs|list|cancel</c>: objective searches run by the cluster. A study
/// lives in the cluster, not in this process: the console starts it, looks at it and cancels it.
/// </summary>
public static class SearchCommand
{
    /// <summary>One study in `search list --json`: <c>trials_done</c> counts search trials (what <c>trial_budget</c> counts);
    /// <c>answer</c> and <c>confirmed</c> are its one answer; <c>workload</c> says whether it was a dry run (simulated:SECONDS).</summary>
    public sealed record StudySummaryJson(string Study, string State, string Backbone, int TrialsDone, int TrialBudget,
        string? BestObjective, double? BestValue, string Metric, string Dataset, string Workload, string? Answer, bool Confirmed);

    public sealed record ListJson(IReadOnlyList<StudySummaryJson> Studies);

    public sealed record CancelJson(string Study, string State);

    public static Command Create()
    {
        var command = new Command("search", "Search the objective family on the cluster: start, status, watch, logs, list, cancel, plot.");
        command.Subcommands.Add(SearchStartCommand.Create());
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(CreateWatch());
        command.Subcommands.Add(SearchLogsCommand.Create());
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateCancel());
        command.Subcommands.Add(SearchPlotCommand.Create());
        return command;
    }

    static Argument<string> StudyName() => new("NAME") { Description = "The study's name." };

    static Command CreateStatus()
    {
        var name = StudyName();
        var json = ClusterCommandLine.Json();
        return ClusterCommandLine.Create("status", "Show a study: its trials, where they run, the best objective against NLL.", [name, json],
            (parse, grains, ct) => StatusAsync(grains, parse.GetValue(name)!, parse.GetValue(json), Console.Out, ct));
    }

    static Command CreateWatch()
    {
        var name = StudyName();
        return ClusterCommandLine.Create("watch",
            "Follow a study until it ends (Ctrl-C stops watching, not the study: exit 130). Exit 0 when it completed, 1 when it failed or was cancelled.",
            [name], (parse, grains, ct) => WatchAsync(grains, parse.GetValue(name)!, Console.Out, Console.Error, ct));
    }

    static Command CreateList()
    {
        var json = ClusterCommandLine.Json();
        return ClusterCommandLine.Create("list", "List the studies of the cluster.", [json],
            (parse, grains, ct) => ListAsync(grains, parse.GetValue(json), Console.Out, ct));
    }

    static Command CreateCancel()
    {
        var name = StudyName();
        var json = ClusterCommandLine.Json();
        return ClusterCommandLine.Create("cancel", "Stop a study's running trials and end it as cancelled.", [name, json],
            (parse, grains, ct) => CancelAsync(grains, parse.GetValue(name)!, parse.GetValue(json), Console.Out, ct));
    }

    /// <summary>
    /// The status of a study that exists. The registry is asked first: a call to an unknown name
    /// would activate an empty study grain rather than say that there is none.
    /// </summary>
    /// <exception cref="ArgumentException">No study has that name.</exception>
    public static async Task<StudyStatus> GetStatusAsync(IGrainFactory grains, string study, CancellationToken ct)
    {
        var names = await ClusterRetry.Query(() => grains.GetGrain<IStudyRegistryGrain>(0).List(), ct);
        if (!names.Contains(study, StringComparer.Ordinal))
            throw new ArgumentException($"no study named {study}" + (names.Count > 0 ? "" : " (the cluster has no studies yet)"));
        return await ClusterRetry.Query(() => grains.GetGrain<IStudyGrain>(study).GetStatus(), ct);
    }

    public static async Task<int> StatusAsync(IGrainFactory grains, string study, bool json, TextWriter output, CancellationToken ct)
    {
        var status = await GetStatusAsync(grains, study, ct);
        if (json) JsonOutput.Write(output, SearchStatusView.ToJson(status));
        else ClusterCommandLine.AnsiFor(output).Write(SearchStatusView.Render(status, TableLayout.IsCompact(output)));
        return 0;
    }

    /// <summary>Follows the study, then prints its final table on <paramref name="output"/>.</summary>
    public static async Task<int> WatchAsync(IGrainFactory grains, string study, TextWriter output, TextWriter progress, CancellationToken ct)
    {
        await GetStatusAsync(grains, study, ct);
        StudyStatus status;
        try
        {
            status = await SearchWatch.UntilFinishedAsync(grains, study, progress, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await progress.WriteLineAsync(StoppedWatching(study));
            return CommandLineExit.Interrupted;
        }
        ClusterCommandLine.AnsiFor(output).Write(SearchStatusView.Render(status, TableLayout.IsCompact(output)));
        return SearchWatch.ExitCode(status.State);
    }

    /// <summary>What Ctrl-C on a watch leaves behind: the study, still running, and how to follow or stop it.</summary>
    public static string StoppedWatching(string study) =>
        $"stopped watching: study {study} is still running in the cluster; `bnll search watch {study}` follows it again, " +
        $"`bnll search cancel {study}` stops it";

    /// <param name="warnings">Where a study the registry names but storage lacks is reported (standard error by default).</param>
    public static async Task<int> ListAsync(IGrainFactory grains, bool json, TextWriter output, CancellationToken ct, TextWriter? warnings = null)
    {
        var names = await ClusterRetry.Query(() => grains.GetGrain<IStudyRegistryGrain>(0).List(), ct);
        var statuses = await Task.WhenAll(names.Order(StringComparer.Ordinal).Select(n => StatusIfStored(grains, n, ct)));
        foreach (var (name, _) in statuses.Where(s => s.Status is null))
            (warnings ?? Console.Error).WriteLine($"warning: study {name} is registered but has no stored record (its first save failed?); left out");
        var studies = statuses.Where(s => s.Status is not null).Select(s => Summarize(s.Status!)).ToList();
        if (json)
        {
            JsonOutput.Write(output, new ListJson(studies));
            return 0;
        }
        if (studies.Count == 0)
        {
            output.WriteLine("no studies; start one with `bnll search start NAME --backbone B --train FILE --val FILE`");
            return 0;
        }
        var table = TableLayout.For(new Table().AddColumns("study", "state", "backbone", "data", "search trials", "answer", "best value"), output);
        foreach (var s in studies)
            table.AddRow(Markup.Escape(s.Study + (s.Workload == "torch" ? "" : $" ({s.Workload}, dry run)")), s.State, Markup.Escape(s.Backbone),
                Markup.Escape(s.Dataset), $"{s.TrialsDone}/{s.TrialBudget}",
                Markup.Escape(s.Answer is null ? "-" : $"{s.Answer} ({(s.Confirmed ? "confirmed" : "unconfirmed")})"),
                s.BestValue is null ? "-" : $"{s.Metric} {SearchStatusView.Format(s.BestValue)}");
        ClusterCommandLine.AnsiFor(output).Write(table);
        return 0;
    }

    /// <summary>A registered study's status, or null when its record is missing, so one lost study does not hide the others.</summary>
    static async Task<(string Name, StudyStatus? Status)> StatusIfStored(IGrainFactory grains, string name, CancellationToken ct)
    {
        try
        {
            return (name, await ClusterRetry.Query(() => grains.GetGrain<IStudyGrain>(name).GetStatus(), ct));
        }
        catch (ArgumentException)
        {
            // The one refusal of GetStatus: a study grain with no record ("no study named ...").
            return (name, null);
        }
    }

    public static StudySummaryJson Summarize(StudyStatus s) => new(s.Study, SearchStatusView.Name(s.State), s.Backbone,
        SearchStatusView.TrialsDone(s), s.TrialBudget, s.Best?.Objective, s.Best?.Value, s.Metric, s.Dataset, s.Workload,
        s.Answer?.Objective, s.Answer?.Confirmed ?? false);

    public static async Task<int> CancelAsync(IGrainFactory grains, string study, bool json, TextWriter output, CancellationToken ct)
    {
        await GetStatusAsync(grains, study, ct);
        var status = await grains.GetGrain<IStudyGrain>(study).Cancel();
        if (json) JsonOutput.Write(output, new CancelJson(status.Study, SearchStatusView.Name(status.State)));
        else output.WriteLine($"study {status.Study}: {SearchStatusView.Name(status.State)}");
        return 0;
    }
}
