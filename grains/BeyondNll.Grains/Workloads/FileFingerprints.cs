using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// SHA-256 fingerprints of the files a study trains on, so that a host whose copy differs refuses
/// to train instead of producing results for other data. A folder's fingerprint covers the names and
/// contents of its files. Results are cached by path, size and modification time: a multi-gigabyte
/// checkpoint is hashed once per host, not once per trial.
/// </summary>
public static class FileFingerprints
{
    static readonly ConcurrentDictionary<(string Path, long Size, DateTime Modified), string> Cache = new();

    public static FileFingerprint Of(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) return new FileFingerprint(full, HashFile(full));
        if (Directory.Exists(full)) return new FileFingerprint(full, HashFolder(full));
        throw new FileNotFoundException($"'{path}' does not exist", path);
    }

    /// <summary>Throws when <paramref name="expected"/>'s path is missing here or its content differs.</summary>
    public static void Verify(FileFingerprint expected, string host)
    {
        FileFingerprint actual;
        try
        {
            actual = Of(expected.Path);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidDataException($"{expected.Path} does not exist on {host}");
        }
        if (actual.Sha256 != expected.Sha256)
            throw new InvalidDataException(
                $"{expected.Path} on {host} differs from the study's copy (sha256 {actual.Sha256[..12]}… instead of {expected.Sha256[..12]}…)");
    }

    static string HashFile(string path)
    {
        var info = new FileInfo(path);
        return Cache.GetOrAdd((path, info.Length, info.LastWriteTimeUtc), _ =>
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
    }

    static string HashFolder(string folder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        foreach (var relative in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(relative + "\n" + HashFile(Path.Combine(folder, relative)) + "\n"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
