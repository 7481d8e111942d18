using System.Text.Json;
using System.Text.Json.Serialization;

namespace BeyondNll.Training.Worker;

/// <summary>
/// One line a worker writes on its standard output, as JSON: what its run did (<see cref="Kind"/>
/// says which fields are set). The worker's log goes to its standard error; these lines are for the silo.
/// </summary>
public sealed record WorkerMessage
{
    public const string Resumed = "resumed", Step = "step", Intermediate = "intermediate", Checkpoint = "checkpoint",
        Result = "result", Failed = "failed";

    /// <summary>resumed (from <see cref="At"/>), step, intermediate (<see cref="Value"/> at <see cref="At"/>),
    /// checkpoint (written at <see cref="At"/>, <see cref="Seconds"/>, <see cref="Bytes"/>), result, failed
    /// (<see cref="Failure"/>, <see cref="Message"/>).</summary>
    public required string Kind { get; init; }
    /// <summary>The step the message is about (1-based; 0 for a run that resumed nothing).</summary>
    public int At { get; init; }
    public int Steps { get; init; }
    public double? Loss { get; init; }
    /// <summary>The study's metric: an intermediate value, or the result's.</summary>
    public double? Value { get; init; }
    public double? Accuracy { get; init; }
    public double? MeanNll { get; init; }
    public double? MeanP { get; init; }
    /// <summary>The study's metric on the held-out test data, in a result of a job that had some.</summary>
    public double? TestValue { get; init; }
    public long? TrainableParameters { get; init; }
    public string? WeightDtype { get; init; }
    public double? Seconds { get; init; }
    public long? Bytes { get; init; }
    /// <summary>A class of <see cref="Trainer.TrainingFailures"/>.</summary>
    public string? Failure { get; init; }
    public string? Message { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // NaN and infinities stay what they are: a metric can come out NaN.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The message of one line, or null when the line is none (a stray print is not fatal).</summary>
    public static WorkerMessage? TryParse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonSerializer.Deserialize<WorkerMessage>(line, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
