using BeyondNll.Grains.Devices;

namespace BeyondNll.Grains.Workloads;

/// <summary>What a trial's workload measured: the study's metric, and the validation metrics it has;
/// a training workload also says what it trained (parameters the optimizer updated, the weights' dtype),
/// and the study's metric on its held-out test data when the spec has some.</summary>
public sealed record WorkloadResult(double Value, double? Accuracy = null, double? MeanNll = null, double? MeanP = null,
    long? TrainableParameters = null, string? WeightDtype = null, double? TestValue = null);

/// <summary>How a running workload tells its trial grain about progress. Called on the workload's thread.</summary>
public interface IWorkloadReporter
{
    void Step(int step, int steps, double loss);

    /// <summary>An intermediate value of the study's metric, for the pruner.</summary>
    void Intermediate(int step, double value);

    /// <summary>The attempt's worker process started.</summary>
    void Started(int pid) { }

    /// <summary>The attempt went on from the trial's checkpoint of <paramref name="step"/>.</summary>
    void Resumed(int step) { }

    /// <summary>A checkpoint of <paramref name="step"/> was written.</summary>
    void Checkpointed(int step) { }

    /// <summary>A line for the attempt's log.</summary>
    void Log(string line) { }
}

/// <summary>Where an attempt keeps what outlives it (see <see cref="Artifacts.ArtifactFolders"/>): the trial's checkpoints, and its trained model.</summary>
public sealed record AttemptFiles(string Checkpoints, string Model);

/// <summary>A workload failed in a way its class says how to treat (see <see cref="TrialFailure"/>).</summary>
public sealed class WorkloadFailedException(TrialFailure failure, string message) : Exception(message)
{
    public TrialFailure Failure { get; } = failure;
}

/// <summary>
/// One training attempt, run on a thread of its own (never the grain scheduler). It ends by
/// returning a result, by <see cref="OperationCanceledException"/> when cancelled or pruned, or by
/// another exception when it fails.
/// </summary>
public interface IWorkload
{
    WorkloadResult Run(TrialSpec spec, DeviceSlot device, AttemptFiles files, IWorkloadReporter reporter, CancellationToken cancellation);
}
