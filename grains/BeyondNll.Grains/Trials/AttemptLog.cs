using System.Globalization;

namespace BeyondNll.Grains.Trials;

/// <summary>
/// One attempt's log file in its trial's artifact folder: what the trial grain saw (start, end, how)
/// and what the worker wrote on its standard error. Lines are written as they come (from the grain and
/// the worker's reader thread) and flushed at once, so `bnll search logs --follow` sees them live. A
/// log that cannot be written is not worth failing an attempt for: its lines are dropped.
/// </summary>
public sealed class AttemptLog : IDisposable
{
    readonly object gate = new();
    StreamWriter? writer;

    public AttemptLog(string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            writer = null;
        }
    }

    /// <summary>A line as it is (the worker's lines carry their own time).</summary>
    public void Write(string line)
    {
        lock (gate)
        {
            try
            {
                writer?.WriteLine(line);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                writer = null;
            }
        }
    }

    /// <summary>A line of the silo's, stamped with the time.</summary>
    public void Note(string line) => Write($"{DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} [silo] {line}");

    public void Dispose()
    {
        lock (gate)
        {
            writer?.Dispose();
            writer = null;
        }
    }
}
