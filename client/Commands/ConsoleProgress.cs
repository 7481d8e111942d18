using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// Progress of work that takes more than a few seconds and has no steps to count (a probe measured on
/// the cluster, a study's files hashed by its silo, searches running): on a terminal, a spinner on
/// stderr with what is happening and the time so far; written elsewhere (a pipe, a log, a test's
/// writer), one line when it starts and one when it ends; nothing at all on <see cref="TextWriter.Null"/>
/// (what commands pass under --json). Stdout carries only the result either way.
/// </summary>
public static class ConsoleProgress
{
    /// <summary>Runs <paramref name="work"/>, which may change the line it shows through its argument.</summary>
    public static async Task<T> WhileAsync<T>(TextWriter progress, string what, Func<Action<string>, Task<T>> work)
    {
        if (ReferenceEquals(progress, TextWriter.Null)) return await work(_ => { });
        var watch = Stopwatch.StartNew();
        if (ReferenceEquals(progress, Console.Error) && !Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return await console.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(what), async context =>
            {
                var line = what;
                using var timer = new Timer(_ => context.Status = Markup.Escape($"{line} ({Seconds(watch)})"), null, 0, 1000);
                return await work(text => line = text);
            });
        }
        await progress.WriteLineAsync($"{what} ...");
        var last = what;
        var result = await work(text =>
        {
            // Only changes are written, so a log stays short.
            if (text == last) return;
            last = text;
            progress.WriteLine($"{text} ({Seconds(watch)})");
        });
        await progress.WriteLineAsync($"{what}: done in {Seconds(watch)}");
        return result;
    }

    /// <summary><see cref="WhileAsync{T}"/> for work without a result.</summary>
    public static Task WhileAsync(TextWriter progress, string what, Func<Action<string>, Task> work) =>
        WhileAsync(progress, what, async show => { await work(show); return 0; });

    static string Seconds(Stopwatch watch) => watch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
}
