namespace BeyondNll.Grains;

/// <summary>
/// What studies keep on disk, read through the cluster for a console that may not see the silos'
/// artifact folder: attempts' logs and trials' kept models. Served by the silo the call reaches, from
/// its artifact folder (storage the hosts share, when there are several).
/// </summary>
[Alias("bnll.IArtifactGrain")]
public interface IArtifactGrain : IGrainWithIntegerKey
{
    /// <summary>Up to <paramref name="count"/> bytes of an attempt's log from <paramref name="offset"/>.</summary>
    [Alias("ReadLog")] Task<ArtifactChunk> ReadLog(string study, int trial, int attempt, long offset, int count);

    /// <summary>The files of a trial's kept model, by name; empty when its model is not kept.</summary>
    [Alias("ModelFiles")] Task<IReadOnlyList<ArtifactFile>> ModelFiles(string study, int trial);

    /// <summary>Up to <paramref name="count"/> bytes of one file of a trial's kept model.</summary>
    [Alias("ReadModelFile")] Task<ArtifactChunk> ReadModelFile(string study, int trial, string file, long offset, int count);
}

/// <summary>A piece of a file: its bytes from the offset asked, and the file's length then (-1 when it does not exist).</summary>
[GenerateSerializer, Immutable, Alias("bnll.ArtifactChunk")]
public sealed record ArtifactChunk(byte[] Data, long Length);

/// <summary>A file of a kept model: its name in the model's folder and its size.</summary>
[GenerateSerializer, Immutable, Alias("bnll.ArtifactFile")]
public sealed record ArtifactFile(string Name, long Length);
