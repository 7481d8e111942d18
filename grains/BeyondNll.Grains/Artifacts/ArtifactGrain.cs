using BeyondNll.Studies;
using Orleans.Concurrency;

namespace BeyondNll.Grains.Artifacts;

/// <summary>Reads logs and kept models from this silo's artifact folder for the console (see <see cref="IArtifactGrain"/>); a local worker on every silo.</summary>
[StatelessWorker]
public sealed class ArtifactGrain(ArtifactFolders artifacts) : Grain, IArtifactGrain
{
    /// <summary>The most one call returns: well under Orleans' message size limit.</summary>
    public const int MaxChunk = 4 << 20;

    public Task<ArtifactChunk> ReadLog(string study, int trial, int attempt, long offset, int count) =>
        Task.Run(() => Read(artifacts.Log(Checked(study), trial, attempt), offset, count));

    public Task<IReadOnlyList<ArtifactFile>> ModelFiles(string study, int trial) => Task.Run<IReadOnlyList<ArtifactFile>>(() =>
    {
        var folder = new DirectoryInfo(artifacts.Model(Checked(study), trial));
        return folder.Exists ? folder.EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => new ArtifactFile(f.Name, f.Length)).ToList() : [];
    });

    public Task<ArtifactChunk> ReadModelFile(string study, int trial, string file, long offset, int count)
    {
        // A model is one flat folder: a name with a separator (or "..") is a request for something else.
        if (file.Length == 0 || file.Contains('/') || file.Contains('\\') || file is "." or "..")
            throw new ArgumentException($"'{file}' is not a file name of a model folder");
        return Task.Run(() => Read(Path.Combine(artifacts.Model(Checked(study), trial), file), offset, count));
    }

    static string Checked(string study) =>
        StudyRequestValidator.IsStudyName(study) ? study : throw new ArgumentException($"'{study}' is not a study name");

    static ArtifactChunk Read(string path, long offset, int count)
    {
        if (!File.Exists(path)) return new ArtifactChunk([], -1);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = stream.Length;
        if (offset >= length || count <= 0) return new ArtifactChunk([], length);
        stream.Position = Math.Max(0, offset);
        var data = new byte[(int)Math.Min(Math.Min(count, MaxChunk), length - stream.Position)];
        stream.ReadExactly(data);
        return new ArtifactChunk(data, length);
    }
}
