using System.CommandLine;
using BeyondNll.Training.Data;
using BeyondNll.Training.Trainer;
using Spectre.Console;
using TorchSharp;

namespace BeyondNll.Client.Commands;

/// <summary>
/// What the commands that train or read data share: the data-key options, the thread setting, and
/// a progress bar that goes to stderr so that stdout carries only the result (and `--json` stays
/// parseable).
/// </summary>
public static class TrainingConsole
{
    public static Option<string> PromptKey() => new("--prompt-key")
    {
        Description = "Key of the prompt in each record; dotted for nested keys (extra_info.question).",
        DefaultValueFactory = _ => "prompt",
    };

    public static Option<string> ResponseKey() => new("--response-key")
    {
        Description = "Key of the response in each record; dotted for nested keys.",
        DefaultValueFactory = _ => "response",
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "CPU threads for libtorch (0 = all cores).",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>
    /// --max-length of the commands that probe (`probe`, `recommend`): one default with the length a
    /// search trains at (search start's), since a probe is comparable only at the same length.
    /// </summary>
    public static Option<int> ProbeLength() => new("--max-length")
    {
        Description = "Tokens per example at most: the length your studies train at (a study probes at its own), so that placements compare.",
        DefaultValueFactory = _ => SearchStartCommand.DefaultRecipe.MaxLength,
    };

    /// <summary>--held-out: clean held-out data (a validation file) to probe beside the training data.</summary>
    public static Option<string?> HeldOut() => new("--held-out")
    {
        Description = "Clean held-out data (e.g. the validation file) to probe too: p on responses without the training data's noise.",
    };

    public static IReadOnlyList<SftExample> ReadData(string path, string promptKey, string responseKey) =>
        SftDataReader.Read(path, new SftFieldMap(promptKey, responseKey));

    public static void SetThreads(int threads)
    {
        if (threads < 0) throw new ArgumentException($"--threads must not be negative, got {threads}");
        torch.set_num_threads(threads == 0 ? Environment.ProcessorCount : threads);
    }

    /// <summary>Runs <paramref name="work"/> off the console thread with a progress bar on stderr
    /// (none when <paramref name="quiet"/>), and returns its result.</summary>
    public static async Task<T> WithProgress<T>(string title, int totalSteps, bool quiet,
        Func<IProgress<StepProgress>, T> work)
    {
        if (quiet || Console.IsErrorRedirected)
            return await Task.Run(() => work(new Progress<StepProgress>(_ => { })));

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask(Markup.Escape(title), maxValue: totalSteps);
                var progress = new SynchronousProgress(p =>
                {
                    bar.Value = p.Step;
                    bar.Description = Markup.Escape($"{title} loss {p.Loss:F4} lr {p.LearningRate:G3} {p.TokensPerSecond:F0} tok/s");
                });
                return await Task.Run(() => work(progress));
            });
    }

}

/// <summary>Reports on the training thread itself: Progress&lt;T&gt; would post to a thread-pool queue.</summary>
public sealed class SynchronousProgress(Action<StepProgress> report) : IProgress<StepProgress>
{
    public void Report(StepProgress value) => report(value);
}
