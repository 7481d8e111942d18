using BeyondNll.Grains.Devices;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Trainer;
using TorchSharp;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// A real fine-tuning run with TorchSharp: <see cref="TrainingRun"/> (the same run as `bnll train`)
/// with the trial's recipe on the study's backbone and data (whose fingerprints the trial grain has
/// checked), on the reserved device, reporting steps and intermediate values of the study's metric.
/// </summary>
public sealed class TorchWorkload : IWorkload
{
    public WorkloadResult Run(TrialSpec spec, DeviceSlot device, IWorkloadReporter reporter, CancellationToken cancellation)
    {
        if (device.Threads > 0) torch.set_num_threads(device.Threads);
        var inputs = new RunInputs(spec.Backbone.Path, spec.Train.Path, spec.Val.Path,
            new SftFieldMap(spec.PromptKey, spec.ResponseKey), AnswerFormat.Parse(spec.AnswerFormat), spec.Test?.Path);
        var result = TrainingRun.Run(spec.Recipe, inputs, new RunHooks
        {
            Metric = StudyMetric.Parse(spec.Metric),
            Evaluations = spec.Evaluations,
            OnStep = step => reporter.Step(step.Step, step.Steps, step.Loss),
            OnIntermediate = reporter.Intermediate,
            Device = device.Kind == "cuda" ? device.Id : "cpu",
        }, cancellation);
        var v = result.Validation;
        return new WorkloadResult(result.Value, v.Accuracy, v.MeanNll, v.MeanP, result.TrainableParameters, result.WeightDtype, result.TestValue);
    }
}
