using System.Text.Json;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Training.Worker;

/// <summary>
/// One training attempt as a worker process receives it (one line of JSON on its standard input):
/// the <see cref="TrainingRun"/> to run, where, and what to keep. Paths are the host's own.
/// </summary>
public sealed record WorkerJob
{
    public required TrainingRecipe Recipe { get; init; }
    public required string Backbone { get; init; }
    public required string Train { get; init; }
    public required string Val { get; init; }
    /// <summary>The study's held-out test data, scored once at the end (<see cref="RunInputs.Test"/>); none = no test.</summary>
    public string? Test { get; init; }
    public string PromptKey { get; init; } = "prompt";
    public string ResponseKey { get; init; } = "response";
    public string AnswerFormat { get; init; } = "whole";
    /// <summary>The study's metric, by name (<see cref="Evaluation.StudyMetric"/>).</summary>
    public string Metric { get; init; } = "accuracy";
    /// <summary>Intermediate evaluations, for the pruner (0 = none).</summary>
    public int Evaluations { get; init; }
    /// <summary>cpu or cuda:N, as the worker sees its devices (the silo has narrowed CUDA_VISIBLE_DEVICES to one).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>libtorch threads; 0 = libtorch's default.</summary>
    public int Threads { get; init; }
    /// <summary>The trial's checkpoint folder, resumed from and written to; none = no checkpoints.</summary>
    public string? Checkpoints { get; init; }
    public int CheckpointEvery { get; init; } = 1;
    /// <summary>Least seconds of training between checkpoints (<see cref="Checkpoints.CheckpointCadence"/>); 0 = none.</summary>
    public double CheckpointMinSeconds { get; init; }
    /// <summary>What a checkpoint must have been written for to be resumed (a digest of the recipe and inputs).</summary>
    public string CheckpointIdentity { get; init; } = "";
    /// <summary>Where the trained result is kept (<see cref="RunHooks.KeepIn"/>); none = not kept.</summary>
    public string? KeepIn { get; init; }

    public static readonly JsonSerializerOptions Json = new(RecipeFields.Json) { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="InvalidDataException">The text is no job.</exception>
    public static WorkerJob Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<WorkerJob>(json, Json) ?? throw new InvalidDataException("the job is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a worker job: {e.Message}", e);
        }
    }
}
