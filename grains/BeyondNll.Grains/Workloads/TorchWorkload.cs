using System.Security.Cryptography;
using System.Text;
using BeyondNll.Grains.Devices;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Trainer;
using BeyondNll.Training.Worker;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// A real fine-tuning run with TorchSharp: <see cref="TrainingRun"/> (the same run as `bnll train`)
/// with the trial's recipe on the study's backbone and data (whose fingerprints the trial grain has
/// checked), in a worker process of its own on the reserved device (<see cref="WorkerProcess"/>):
/// resuming the trial's newest checkpoint, writing one every so many steps, and keeping the trained
/// model in the trial's artifact folder.
/// </summary>
public sealed class TorchWorkload(WorkerOptions options) : IWorkload
{
    public WorkloadResult Run(TrialSpec spec, DeviceSlot device, AttemptFiles files, IWorkloadReporter reporter, CancellationToken cancellation) =>
        WorkerProcess.Run(options, JobOf(spec, device, files, CheckpointCadence.Of(spec.Recipe, options.CheckpointEvery, options.CheckpointMinSeconds)),
            device, reporter, cancellation);

    /// <summary>The worker's job for an attempt: a CUDA slot's GPU is the worker's only one, cuda:0.</summary>
    public static WorkerJob JobOf(TrialSpec spec, DeviceSlot device, AttemptFiles files, CheckpointCadence cadence) => new()
    {
        Recipe = spec.Recipe, Backbone = spec.Backbone.Path, Train = spec.Train.Path, Val = spec.Val.Path, Test = spec.Test?.Path,
        PromptKey = spec.PromptKey, ResponseKey = spec.ResponseKey, AnswerFormat = spec.AnswerFormat,
        Metric = spec.Metric, Evaluations = spec.Evaluations,
        Device = device.Kind == "cuda" ? "cuda:0" : "cpu", Threads = device.Threads,
        Checkpoints = files.Checkpoints, CheckpointEvery = cadence.Every, CheckpointMinSeconds = cadence.MinSeconds,
        CheckpointIdentity = CheckpointIdentity(spec), KeepIn = files.Model,
    };

    /// <summary>
    /// What a trial's checkpoints must match to be resumed: its recipe and the content of its backbone
    /// and data. Another study that reused the name, or changed files, starts fresh instead.
    /// </summary>
    public static string CheckpointIdentity(TrialSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n',
            RecipeFields.ToJson(spec.Recipe).ToJsonString(), spec.Backbone.Sha256, spec.Train.Sha256, spec.Val.Sha256,
            spec.PromptKey, spec.ResponseKey))));
}
