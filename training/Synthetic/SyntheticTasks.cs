namespace BeyondNll.Training.Synthetic;

/// <summary>The synthetic tasks by name, with their default settings.</summary>
public static class SyntheticTasks
{
    static readonly ISyntheticTask[] All =
    [
        new AdditionTask(),
        WordTask.Reverse(),
        WordTask.Sort(),
        WordTask.Cipher(),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(t => t.Name).ToArray();

    public static ISyntheticTask Get(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown task '{name}'; known tasks: {string.Join(", ", Names)}");
}
