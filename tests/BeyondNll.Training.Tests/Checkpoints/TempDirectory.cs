namespace BeyondNll.Training.Tests.Checkpoints;

/// <summary>A fresh directory under the system temp folder, deleted on Dispose.</summary>
sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("bnll-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
