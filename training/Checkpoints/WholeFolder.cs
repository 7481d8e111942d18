namespace BeyondNll.Training.Checkpoints;

/// <summary>
/// A folder written under a temporary name beside its final one and renamed into place once
/// complete, so that a process killed while writing leaves the old folder or nothing, never half a model.
/// </summary>
public static class WholeFolder
{
    /// <summary>Runs <paramref name="write"/> on a fresh temporary folder, then puts it at <paramref name="folder"/> (replacing what was there).</summary>
    public static void Write(string folder, Action<string> write)
    {
        var full = Path.GetFullPath(folder);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            write(temporary);
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(temporary, full);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }
}
