using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll export NAME --format hf --out DIR</c>: the study's winning model (the trial status names in
/// <c>winner_trial</c>) copied out of the cluster's artifact folder through the cluster: a Hugging Face
/// folder (config.json, model.safetensors, the tokenizer files) for a Hugging Face backbone, the
/// project's own layout (config.json, model.safetensors, backbone.json) for a synthetic one. A LoRA
/// winner, kept as adapters, is merged into its backbone here, which this machine must be able to read.
/// </summary>
public static class ModelExport
{
    /// <summary>The export; <c>trial</c> is the trial whose model was written, <c>files</c> what <c>out</c> holds.</summary>
    public sealed record ModelExportJson(string Study, string Format, string Objective, string PaperKey, int Trial, double? Value,
        double Lr, bool Confirmed, string Out, bool MergedLora, IReadOnlyList<string> Files, long Bytes);

    const int Chunk = 4 << 20;

    /// <summary>Refuses an --out that holds something already: an export never overwrites a folder in use.</summary>
    public static string CheckOut(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("--format hf needs --out DIR: the folder to write the model into");
        var full = Path.GetFullPath(folder);
        if (File.Exists(full) || (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any()))
            throw new ArgumentException($"--out {folder} exists and is not empty; name a new folder");
        return full;
    }

    /// <exception cref="ArgumentException">No finished trial yet, or the winner's model is not kept.</exception>
    public static async Task<ModelExportJson> WriteAsync(IGrainFactory grains, StudyStatus status, string outFolder, CancellationToken ct)
    {
        var full = CheckOut(outFolder);
        if (status.Answer is not { } answer || status.WinnerTrial is not { } number)
            throw new ArgumentException($"study {status.Study} has no finished trial yet ({SearchStatusView.Name(status.State)}): nothing to export");
        var trial = status.Trials[number];
        var artifacts = grains.GetGrain<IArtifactGrain>(0);
        var files = await ClusterRetry.Query(() => artifacts.ModelFiles(status.Study, number), ct);
        if (files.Count == 0)
            throw new ArgumentException($"the model of trial {number}, the winner of {status.Study}, is not kept: " +
                (WorkloadKind.Parse(status.Workload).Kind == "simulated" ? "a simulated study trains no model"
                    : "the study ran before models were kept, its artifacts were deleted, or this silo does not share the artifact folder of the one that trained it"));

        var download = $"{full}.download-{Guid.NewGuid():N}";
        Directory.CreateDirectory(download);
        var merged = false;
        try
        {
            foreach (var file in files) await DownloadAsync(artifacts, status.Study, number, file, Path.Combine(download, file.Name), ct);
            if (LoraAdapterFolder.IsAdapterFolder(download))
            {
                var backbone = await ClusterRetry.Query(() => grains.GetGrain<IBackboneGrain>(status.Backbone).Get(), ct)
                    ?? throw new ArgumentException($"backbone {status.Backbone} of study {status.Study} is no longer registered: its LoRA winner cannot be merged");
                using var model = Backbone.Load(backbone.Path);
                LoraAdapterFolder.Apply(model.Model, download);
                WholeFolder.Write(full, model.SaveAs);
                merged = true;
            }
            else
            {
                if (Directory.Exists(full)) Directory.Delete(full);
                Directory.Move(download, full);
            }
        }
        finally
        {
            if (Directory.Exists(download)) Directory.Delete(download, recursive: true);
        }
        var written = new DirectoryInfo(full).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        return new ModelExportJson(status.Study, "hf", answer.Objective, Objective.Parse(answer.Objective).PaperKey, number, trial.Value,
            trial.LearningRate, answer.Confirmed, full, merged, written.Select(f => f.Name).ToList(), written.Sum(f => f.Length));
    }

    static async Task DownloadAsync(IArtifactGrain artifacts, string study, int trial, ArtifactFile file, string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        while (stream.Length < file.Length)
        {
            var offset = stream.Length;
            var chunk = await ClusterRetry.Query(() => artifacts.ReadModelFile(study, trial, file.Name, offset, Chunk), ct);
            if (chunk.Data.Length == 0)
                throw new IOException($"{file.Name} of trial {trial}'s model ended at {offset} of its {file.Length} bytes");
            await stream.WriteAsync(chunk.Data, ct);
        }
        await stream.FlushAsync(ct);
    }
}
