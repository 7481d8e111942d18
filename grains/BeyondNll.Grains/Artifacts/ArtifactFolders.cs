using System.Globalization;
using BeyondNll.Grains.Workloads;

namespace BeyondNll.Grains.Artifacts;

/// <summary>
/// What a study keeps on disk, under this silo's artifact folder (the silo's --artifacts setting; with
/// several hosts, storage they all share, so that an attempt rerun on another host finds its trial's
/// checkpoint and every host can serve logs and models):
/// <code>
/// ARTIFACTS/STUDY/trial-0003/checkpoints/step-00000120/   the newest resumable checkpoints (two at most)
/// ARTIFACTS/STUDY/trial-0003/model/                       the trained model, while the study keeps it
/// ARTIFACTS/STUDY/trial-0003/attempt-1.log                each attempt's log
/// </code>
/// Study names are safe folder names (letters, digits, '.', '_', '-', never starting with '.').
/// </summary>
public sealed class ArtifactFolders(string root)
{
    public const string ModelFolderName = "model";

    public string Root { get; } = Path.GetFullPath(root);

    public string Study(string study) => Path.Combine(Root, study);

    public string Trial(string study, int trial) =>
        Path.Combine(Study(study), "trial-" + trial.ToString("D4", CultureInfo.InvariantCulture));

    public string Checkpoints(string study, int trial) => Path.Combine(Trial(study, trial), "checkpoints");

    public string Model(string study, int trial) => Path.Combine(Trial(study, trial), ModelFolderName);

    public string Log(string study, int trial, int attempt) =>
        Path.Combine(Trial(study, trial), $"attempt-{attempt.ToString(CultureInfo.InvariantCulture)}.log");

    public AttemptFiles FilesOf(string study, int trial) => new(Checkpoints(study, trial), Model(study, trial));

    /// <summary>Deletes a folder if it is there; false when it could not be (it stays for the next sweep).</summary>
    public static bool Delete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
