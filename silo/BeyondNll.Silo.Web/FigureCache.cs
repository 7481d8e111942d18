using System.Collections.Concurrent;

namespace BeyondNll.Silo.Web;

/// <summary>
/// What is costly to draw (a figure, the importance forest) kept per key until the data behind it
/// changes: each entry remembers the version it was made for, and a request for another version makes
/// it again. Live pages ask every second; figures change only when a trial reports a value.
/// </summary>
sealed class FigureCache
{
    readonly ConcurrentDictionary<string, (string Version, object Value)> entries = new();

    public T Get<T>(string key, string version, Func<T> make) where T : notnull
    {
        if (entries.TryGetValue(key, out var entry) && entry.Version == version && entry.Value is T kept) return kept;
        var value = make();
        entries[key] = (version, value);
        return value;
    }
}
