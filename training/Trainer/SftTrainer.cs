using System.Diagnostics;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Trainer;

/// <summary>
/// Supervised fine-tuning of a decoder with one objective of the family: the training loop of a
/// trial, readable in one sitting. Each step: a seeded batch of examples, split into micro-batches
/// whose gradients accumulate (each micro-batch's loss normalised by its own response tokens and
/// divided by their number, as the paper's trainer does), gradient clipping, an AdamW update at the
/// scheduled learning rate. It runs on the caller's thread; cancel through the token.
/// </summary>
public sealed class SftTrainer
{
    readonly DecoderLM model;
    readonly TrainingRecipe recipe;
    readonly Objective objective;
    readonly int padId;

    public SftTrainer(DecoderLM model, TrainingRecipe recipe, int padId)
    {
        recipe.Validate();
        this.model = model;
        this.recipe = recipe;
        objective = recipe.ParsedObjective();
        this.padId = padId;
    }

    /// <param name="afterStep">Called on the training thread after each step, with the model between
    /// updates: the place to evaluate for intermediate values.</param>
    /// <param name="checkpoints">When given, the run resumes from the newest checkpoint there and writes
    /// one whenever <see cref="TrainingCheckpoints.Due"/> (after <paramref name="afterStep"/>).</param>
    public TrainingResult Train(IReadOnlyList<TokenizedExample> examples, IProgress<StepProgress>? progress = null,
        CancellationToken cancellation = default, Action<StepProgress>? afterStep = null, TrainingCheckpoints? checkpoints = null)
    {
        if (examples.Count == 0) throw new ArgumentException("no training examples");
        NativeHeap.KeepFreedMemoryForReuse();
        var device = model.parameters().First().device;
        // Frozen parameters (everything but the adapters under LoRA) are neither updated nor clipped.
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();
        var parameters = trainable.Select(p => p.parameter).ToList();
        using var optimizer = optim.AdamW(parameters, recipe.LearningRate, recipe.Beta1, recipe.Beta2,
            eps: 1e-8, weight_decay: recipe.WeightDecay);
        var loss = new ObjectiveLoss(objective);
        // A data set smaller than one batch trains on all of it each step.
        using var order = new SftBatchOrder(examples.Count, Math.Min(recipe.BatchSize, examples.Count), recipe.Seed)
            .Batches().GetEnumerator();
        // A resumed run goes on where its checkpoint was: the same weights and moments, and the data
        // order (a function of the seed) moved past the batches already trained on.
        var resumedFrom = checkpoints?.Restore(trainable, optimizer, recipe.Steps) ?? 0;
        for (var done = 0; done < resumedFrom; done++) order.MoveNext();
        var history = new List<StepProgress>(recipe.Steps - resumedFrom);
        var wasTraining = model.training;
        model.train();
        var total = Stopwatch.StartNew();
        long totalTokens = 0;
        try
        {
            for (var step = resumedFrom; step < recipe.Steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                var watch = Stopwatch.StartNew();
                var learningRate = LearningRateSchedule.At(step, recipe.Steps, recipe.LearningRate, recipe.WarmupFraction, recipe.MinLrRatio);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
                optimizer.zero_grad();

                order.MoveNext();
                var (stepLoss, tokens, meanP, lossSeconds) = AccumulateGradients(order.Current, examples, loss, device);
                if (!double.IsFinite(stepLoss))
                    throw new TrainingDivergedException($"step {step + 1}: the {objective.Spec} loss is {stepLoss}; stopped instead of training on");
                var gradNorm = nn.utils.clip_grad_norm_(parameters, recipe.GradientClip);
                if (!double.IsFinite(gradNorm))
                    throw new TrainingDivergedException($"step {step + 1}: the gradient norm is {gradNorm}; stopped instead of training on");
                optimizer.step();

                var seconds = watch.Elapsed.TotalSeconds;
                totalTokens += tokens;
                var report = new StepProgress(step + 1, recipe.Steps, stepLoss, gradNorm, learningRate,
                    tokens / Math.Max(seconds, 1e-9), meanP, seconds, lossSeconds);
                history.Add(report);
                progress?.Report(report);
                afterStep?.Invoke(report);
                if (checkpoints is not null && checkpoints.Due(step + 1, recipe.Steps))
                    checkpoints.Write(trainable, optimizer, step + 1, recipe.Steps);
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        var tail = history.Skip(history.Count - Math.Max(1, history.Count / 10)).Average(h => h.Loss);
        var elapsed = total.Elapsed.TotalSeconds;
        return new TrainingResult(history.Count, tail, elapsed, totalTokens / Math.Max(elapsed, 1e-9), history, resumedFrom);
    }

    (double Loss, long Tokens, double MeanP, double LossSeconds) AccumulateGradients(IReadOnlyList<int> batch,
        IReadOnlyList<TokenizedExample> examples, ObjectiveLoss loss, Device device)
    {
        var micro = recipe.MicroBatch();
        var microBatches = (batch.Count + micro - 1) / micro;
        double stepLoss = 0, sumP = 0, lossSeconds = 0;
        long tokens = 0, responseTokens = 0;
        for (var m = 0; m < microBatches; m++)
        {
            using var scope = NewDisposeScope();
            var members = batch.Skip(m * micro).Take(micro).Select(i => examples[i]).ToList();
            using var data = SftBatcher.Make(members, recipe.MaxLength, padId, device);
            LossStats LossBackward(Tensor hidden) => loss.ForwardBackward(hidden, model.Head, data.Labels, data.LossMask,
                gradientScale: 1.0 / microBatches,
                chunkTokens: recipe.ChunkTokens > 0 ? recipe.ChunkTokens : ObjectiveLoss.ChunkTokensFor(model.Config.VocabSize));
            var stats = recipe.GradientCheckpointing
                ? model.CheckpointedForwardBackward(data.InputIds, LossBackward)
                : LossBackward(model.Hidden(data.InputIds));
            stepLoss += stats.Loss / microBatches;
            sumP += stats.SumP;
            lossSeconds += stats.Seconds;
            responseTokens += stats.ResponseTokens;
            tokens += data.Tokens;
        }
        return (stepLoss, tokens, responseTokens == 0 ? double.NaN : sumP / responseTokens, lossSeconds);
    }
}
