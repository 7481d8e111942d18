namespace BeyondNll.Training.Tests;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bnll-test-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes the lines, joined by newlines, to a file in this folder and returns its path.</summary>
    public string WriteLines(string name, params string[] lines)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
