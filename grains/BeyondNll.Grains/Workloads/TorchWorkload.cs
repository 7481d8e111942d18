using BeyondNll.Grains.Devices;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using TorchSharp;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// A real fine-tuning run with TorchSharp: the backbone and data of the study (whose fingerprints the
/// trial grain has checked), the trial's objective and learning rate, the study's real-backbone
/// settings (dtype, LoRA, checkpointing: prepared as `bnll train` prepares them), intermediate
/// evaluations for the pruner, and the study's metric on the whole validation set at the end.
/// </summary>
public sealed class TorchWorkload : IWorkload
{
    /// <summary>Intermediate evaluations use at most this many validation examples, to stay cheap.</summary>
    const int IntermediateExamples = 64;

    public WorkloadResult Run(TrialSpec spec, DeviceSlot device, IWorkloadReporter reporter, CancellationToken cancellation)
    {
        if (device.Threads > 0) torch.set_num_threads(device.Threads);

        var map = new SftFieldMap(spec.PromptKey, spec.ResponseKey);
        var train = SftDataReader.Read(spec.Train.Path, map);
        var val = SftDataReader.Read(spec.Val.Path, map);
        var tuning = TrialTuning.Of(spec);
        using var backbone = Backbone.Load(spec.Backbone.Path);
        // Before the move to a GPU: LoRA's adapters are drawn from a seeded CPU generator.
        tuning.Prepare(backbone.Model, spec.Seed);
        if (device.Kind == "cuda") backbone.Model.to(new torch.Device(device.Id));

        var evaluator = new Evaluator(backbone.Model, backbone.Tokenizer, new EvaluationOptions
        {
            Format = AnswerFormat.Parse(spec.AnswerFormat),
            MaxLength = spec.MaxLength,
        });
        var probeSet = val.Take(IntermediateExamples).ToList();
        var every = spec.Evaluations > 0 ? Math.Max(1, spec.Steps / spec.Evaluations) : int.MaxValue;
        var options = tuning.ApplyTo(new TrainingOptions
        {
            Objective = Objective.Parse(spec.Objective),
            Steps = spec.Steps,
            LearningRate = spec.LearningRate,
            BatchSize = spec.BatchSize,
            MaxLength = spec.MaxLength,
            Seed = spec.Seed,
        });
        var tokenized = TokenizedExample.FromAll(train, backbone.Tokenizer);
        new SftTrainer(backbone.Model, options, backbone.Tokenizer.PadId).Train(tokenized,
            cancellation: cancellation,
            afterStep: step =>
            {
                reporter.Step(step.Step, step.Steps, step.Loss);
                if (step.Step % every == 0 && step.Step < step.Steps)
                    reporter.Intermediate(step.Step, MetricOf(spec.Metric, evaluator.Evaluate(probeSet, decode: spec.Metric != "nll")));
            });

        var final = evaluator.Evaluate(val);
        return new WorkloadResult(MetricOf(spec.Metric, final), final.Accuracy, final.MeanNll, final.MeanP,
            TuningSettings.TrainableParameters(backbone.Model), TuningSettings.DtypeOf(backbone.Model));
    }

    static double MetricOf(string metric, EvaluationResult r) => metric == "nll" ? r.MeanNll : r.Accuracy;
}
