namespace BeyondNll.Training.Data;

/// <summary>
/// One supervised fine-tuning example: the model is shown <see cref="Prompt"/> and trained to
/// continue it with <see cref="Response"/>. Only the response tokens carry loss.
/// </summary>
public sealed record SftExample(string Prompt, string Response);
