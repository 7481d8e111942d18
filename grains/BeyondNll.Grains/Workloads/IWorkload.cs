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
}

/// <summary>
/// One training attempt, run on a thread of its own (never the grain scheduler). It ends by
/// returning a result, by <see cref="OperationCanceledException"/> when cancelled or pruned, or by
/// another exception when it fails.
/// </summary>
public interface IWorkload
{
    WorkloadResult Run(TrialSpec spec, DeviceSlot device, IWorkloadReporter reporter, CancellationToken cancellation);
}
