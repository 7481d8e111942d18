using BeyondNll.Training.Backbones;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using TorchSharp;

namespace BeyondNll.Training.Trainer;

/// <summary>Where a run's backbone and data are (Test: held-out data scored once at the end, if any), and how its examples and answers are read.</summary>
public sealed record RunInputs(string Backbone, string Train, string Val, SftFieldMap Fields, AnswerFormat Answer, string? Test = null);

/// <summary>How a run reports while it trains, and what it does at the end.</summary>
public sealed record RunHooks
{
    /// <summary>The metric of the intermediate values and of <see cref="RunResult.Value"/>.</summary>
    public StudyMetric Metric { get; init; } = StudyMetric.Accuracy;
    /// <summary>Intermediate evaluations of <see cref="Metric"/> during training, for a pruner (0 = none).</summary>
    public int Evaluations { get; init; }
    /// <summary>Called on the training thread after each step.</summary>
    public Action<StepProgress>? OnStep { get; init; }
    /// <summary>Called on the training thread with (step, value) at each intermediate evaluation.</summary>
    public Action<int, double>? OnIntermediate { get; init; }
    /// <summary>cpu, or cuda:N: where the model trains (it is prepared on the CPU first).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>When set, the fine-tuned backbone is saved to this folder (a Hugging Face folder as one).</summary>
    public string? SaveTo { get; init; }
    /// <summary>When set, the result is kept in this folder as a search keeps it: a LoRA run's adapters alone
    /// (<see cref="LoraAdapterFolder"/>), else the fine-tuned backbone as <see cref="SaveTo"/> saves it; the folder
    /// appears whole or not at all (<see cref="WholeFolder"/>).</summary>
    public string? KeepIn { get; init; }
    /// <summary>Resumable checkpoints: the run resumes from the newest and writes more as it trains (a search's trials).</summary>
    public TrainingCheckpoints? Checkpoints { get; init; }
}

/// <summary>What a run trained and how it scored on the whole validation set (and on the held-out test set, when it had one).</summary>
public sealed record RunResult(TrainingResult Training, EvaluationResult Validation, double Value, long TrainableParameters, string WeightDtype,
    EvaluationResult? Test = null, double? TestValue = null)
{
    /// <summary>The checkpoint's step the run went on from; 0 when it started fresh.</summary>
    public int ResumedFrom => Training.ResumedFrom;
}

/// <summary>
/// One fine-tuning run from files to scores, the same for `bnll train` and a search's trials: read
/// the data, load the backbone, prepare it as the recipe says (dtype, LoRA), move it to its device,
/// train with the recipe's objective and settings (intermediate evaluations on the way), score it on
/// the validation set (and the test set, if given) and, if asked, save it. Runs on the caller's thread; cancel through the token.
/// </summary>
public static class TrainingRun
{
    /// <summary>Intermediate evaluations use at most this many validation examples, to stay cheap.</summary>
    public const int IntermediateExamples = 64;

    public static RunResult Run(TrainingRecipe recipe, RunInputs inputs, RunHooks hooks, CancellationToken cancellation = default)
    {
        recipe.Validate();
        var train = SftDataReader.Read(inputs.Train, inputs.Fields);
        var val = SftDataReader.Read(inputs.Val, inputs.Fields);
        var heldOut = inputs.Test is { } testPath ? SftDataReader.Read(testPath, inputs.Fields) : null;
        using var backbone = Backbone.Load(inputs.Backbone);
        // Before the move to a GPU: LoRA's adapters are drawn from a seeded CPU generator.
        recipe.Prepare(backbone.Model);
        if (hooks.Device.StartsWith("cuda", StringComparison.Ordinal)) backbone.Model.to(new torch.Device(hooks.Device));

        var evaluator = new Evaluator(backbone.Model, backbone.Tokenizer, new EvaluationOptions { Format = inputs.Answer, MaxLength = recipe.MaxLength });
        var probeSet = val.Take(IntermediateExamples).ToList();
        var every = hooks.Evaluations > 0 ? Math.Max(1, recipe.Steps / hooks.Evaluations) : int.MaxValue;
        var tokenized = TokenizedExample.FromAll(train, backbone.Tokenizer);
        var training = new SftTrainer(backbone.Model, recipe, backbone.Tokenizer.PadId).Train(tokenized,
            cancellation: cancellation,
            afterStep: step =>
            {
                hooks.OnStep?.Invoke(step);
                if (hooks.OnIntermediate is { } report && step.Step % every == 0 && step.Step < step.Steps)
                    report(step.Step, hooks.Metric.Read(evaluator.Evaluate(probeSet, decode: hooks.Metric.NeedsDecoding)));
            },
            checkpoints: hooks.Checkpoints);

        var validation = evaluator.Evaluate(val);
        var test = heldOut is null ? null : evaluator.Evaluate(heldOut);
        if (hooks.KeepIn is { } kept)
        {
            WholeFolder.Write(kept, into =>
            {
                if (recipe.Lora() is { } lora) LoraAdapterFolder.Save(backbone.Model, lora, into, inputs.Backbone);
                else backbone.SaveAs(into);
            });
        }
        if (hooks.SaveTo is { } folder) backbone.SaveAs(folder);
        return new RunResult(training, validation, hooks.Metric.Read(validation),
            TrainingRecipe.TrainableParameters(backbone.Model), TrainingRecipe.DtypeOf(backbone.Model),
            test, test is null ? null : hooks.Metric.Read(test));
    }
}
