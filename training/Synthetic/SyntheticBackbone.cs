using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Tokenization;
using BeyondNll.Training.Trainer;
using static TorchSharp.torch;

namespace BeyondNll.Training.Synthetic;

/// <summary>How to make a synthetic backbone of a chosen prior strength on a task.</summary>
public sealed record SyntheticBackboneOptions
{
    public required string Task { get; init; }
    /// <summary>NLL steps of pretraining: 0 is a random initialisation, the weakest backbone.</summary>
    public int PretrainSteps { get; init; }
    public int Seed { get; init; }
    /// <summary>Share of the pretraining mix drawn from <see cref="Task"/>; the rest comes from the other tasks.</summary>
    public double TaskShare { get; init; } = 1.0;
    public DecoderConfig Config { get; init; } = DecoderConfig.Tiny(maxPositions: 64);
    public double LearningRate { get; init; } = 1e-3;
    public int BatchSize { get; init; } = 32;

    public void Validate()
    {
        SyntheticTasks.Get(Task);
        if (PretrainSteps < 0) throw new ArgumentException($"pretrain steps must not be negative, got {PretrainSteps}");
        if (!(TaskShare >= 0 && TaskShare <= 1)) throw new ArgumentException($"task share must be in [0, 1], got {TaskShare}");
        if (BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {BatchSize}");
    }
}

/// <summary>
/// Makes backbones of graded prior strength on a synthetic task, so the whole capability continuum
/// can be reproduced on a CPU: a seeded random decoder, pretrained with NLL for a number of steps on
/// a mix of the task and the other tasks. More steps, or a larger task share, make a stronger prior.
/// The pretraining examples come from their own seed stream, apart from those of `bnll synth data`.
/// </summary>
public static class SyntheticBackbone
{
    public static DecoderLM Pretrain(SyntheticBackboneOptions options, IProgress<StepProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        manual_seed(options.Seed);
        var model = new DecoderLM(options.Config);
        if (options.PretrainSteps == 0) return model;

        var tokenizer = new ByteTokenizer();
        var corpus = Corpus(options).Select(e => TokenizedExample.From(e, tokenizer)).ToList();
        var trainer = new SftTrainer(model, new TrainingRecipe
        {
            Objective = Objective.Nll.Spec,
            Steps = options.PretrainSteps,
            LearningRate = options.LearningRate,
            BatchSize = options.BatchSize,
            MaxLength = options.Config.MaxPositions,
            Seed = options.Seed,
        }, tokenizer.PadId);
        trainer.Train(corpus, progress, cancellation);
        return model;
    }

    /// <summary>Pretrains and saves a backbone folder (checkpoint + backbone.json).</summary>
    public static void Create(string directory, SyntheticBackboneOptions options, IProgress<StepProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        using var model = Pretrain(options, progress, cancellation);
        Backbone.Save(directory, model, new BackboneInfo(BackboneInfo.ByteTokenizer,
            new SyntheticOrigin(options.Task, options.PretrainSteps, options.Seed, options.TaskShare)));
    }

    static List<SftExample> Corpus(SyntheticBackboneOptions options)
    {
        // Enough distinct examples for a few epochs at most; a fixed offset keeps this stream apart
        // from the seeds users give `bnll synth data`.
        var rng = new Random(unchecked(options.Seed * 7919 + 104729));
        var task = SyntheticTasks.Get(options.Task);
        var others = SyntheticTasks.Names.Where(n => n != options.Task).Select(SyntheticTasks.Get).ToList();
        var count = Math.Min(options.PretrainSteps * options.BatchSize, 20_000);
        var corpus = new List<SftExample>(count);
        for (var i = 0; i < count; i++)
        {
            var fromTask = others.Count == 0 || rng.NextDouble() < options.TaskShare;
            corpus.Add((fromTask ? task : others[rng.Next(others.Count)]).Sample(rng));
        }
        return corpus;
    }
}
