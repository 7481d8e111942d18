using System.CommandLine;
using BeyondNll.Client.Bench;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll bench study --trials 100,1000,5000 [--json]</c>: what a study writes to its store per trial
/// and how long `search status` takes, as the number of trials grows (issue 12: a change writes O(1)
/// bytes in the number of trials).
/// </summary>
public static class BenchStudyCommand
{
    public sealed record Report(int Cores, DateTimeOffset Started, IReadOnlyList<StudyStorageResult> Runs);

    public static Command Create()
    {
        var trials = new Option<string>("--trials") { Description = "Studies to run, by their number of trials (comma-separated).", DefaultValueFactory = _ => "100,1000,5000" };
        var evaluations = new Option<int>("--evaluations") { Description = "Intermediate values per trial (each a write of its trial).", DefaultValueFactory = _ => 2 };
        var sampler = new Option<string>("--sampler") { Description = "random (the study's own cost alone) or tpe.", DefaultValueFactory = _ => "random" };
        var devices = new Option<int>("--devices") { Description = "Simulated devices of the in-process silo (trials in flight).", DefaultValueFactory = _ => 16 };
        var json = new Option<bool>("--json") { Description = "Print one line of JSON." };
        var command = new Command("study", "Bytes a study writes per trial and the time of its status, at growing numbers of trials (simulated, no waiting).")
            { trials, evaluations, sampler, devices, json };
        command.SetAction(async (parse, ct) =>
        {
            var counts = parse.GetValue(trials)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => int.TryParse(t, out var n) && n > 0 ? n : throw new ArgumentException($"--trials: '{t}' is no positive number")).ToList();
            if (parse.GetValue(devices) < 1) throw new ArgumentException($"--devices must be at least 1, got {parse.GetValue(devices)}");
            if (parse.GetValue(evaluations) < 0) throw new ArgumentException($"--evaluations must be at least 0, got {parse.GetValue(evaluations)}");
            var quiet = parse.GetValue(json);
            var started = DateTimeOffset.UtcNow;
            var runs = new List<StudyStorageResult>();
            foreach (var n in counts)
                runs.Add(await StudyStorageBenchmark.Run(n, parse.GetValue(evaluations), parse.GetValue(sampler)!, parse.GetValue(devices),
                    line => { if (!quiet) Console.Error.WriteLine($"{n} trials: {line}"); }, ct));
            var report = new Report(Environment.ProcessorCount, started, runs);
            if (quiet)
            {
                JsonOutput.Write(report);
                return 0;
            }
            var table = new Table().AddColumns("trials", "seconds", "writes", "bytes / trial", "largest study record", "status JSON", "status median (min)", "reload");
            foreach (var r in runs)
                table.AddRow($"{r.Trials}", $"{r.Seconds:F1}", $"{r.Writes}", $"{r.BytesPerTrial:F0}", $"{r.StudyRecordLargestBytes} B",
                    $"{r.StatusJsonBytes / 1024.0:F0} KiB", $"{r.StatusMsMedian:F1} ({r.StatusMsMin:F1}) ms", $"{r.ReloadMs:F0} ms");
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
