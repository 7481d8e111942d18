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
        CancellationToken cancellation = default) => Pretrain(options, progress, cancellation, afterStep: null);

    /// <param name="afterStep">Called between steps with the model as it is after that many updates.</param>
    static DecoderLM Pretrain(SyntheticBackboneOptions options, IProgress<StepProgress>? progress, CancellationToken cancellation,
        Action<DecoderLM, int>? afterStep)
    {
        options.Validate();
        manual_seed(options.Seed);
        var model = new DecoderLM(options.Config);
        afterStep?.Invoke(model, 0);
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
        trainer.Train(corpus, progress, cancellation, afterStep: afterStep is null ? null : step => afterStep(model, step.Step));
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

    /// <summary>
    /// Backbones of graded strength from one pretraining run: trains <paramref name="options"/> up to the
    /// largest of <paramref name="levels"/> steps and saves a backbone folder (<paramref name="folderOf"/>
    /// of the level) when the run reaches each level (level 0 is the random initialisation). A level is a
    /// snapshot along one run, so its learning rate schedule is the longest level's, not one of its own:
    /// cheaper than a run per level (the pretraining of the largest level once, not the sum of all) and
    /// the natural sense of "more pretraining" — checkpoints of one model along its training.
    /// </summary>
    public static void CreateLevels(SyntheticBackboneOptions options, IReadOnlyList<int> levels, Func<int, string> folderOf,
        IProgress<StepProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count == 0 || levels.Any(l => l < 0) || levels.Distinct().Count() != levels.Count)
            throw new ArgumentException("levels must be distinct pretraining steps, 0 or more, and at least one");
        var run = options with { PretrainSteps = levels.Max() };
        // Saved between steps, on the training thread: the weights as they are after that many updates.
        using var model = Pretrain(run, progress, cancellation, afterStep: (snapshot, step) =>
        {
            if (levels.Contains(step))
                Backbone.Save(folderOf(step), snapshot, new BackboneInfo(BackboneInfo.ByteTokenizer,
                    new SyntheticOrigin(run.Task, step, run.Seed, run.TaskShare)));
        });
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
