namespace BeyondNll.Training.Evaluation;

/// <summary>
/// What a search optimises: a name (as `--metric` takes it and stored studies keep it), whether
/// higher is better, and how the value is read from an <see cref="EvaluationResult"/>. Requests and
/// statuses carry the name; everything that needs the direction or the value asks this type.
/// </summary>
public sealed class StudyMetric
{
    /// <summary>Exact-match accuracy of greedy answers, maximised.</summary>
    public static readonly StudyMetric Accuracy = new("accuracy", higherIsBetter: true, needsDecoding: true, r => r.Accuracy);

    /// <summary>Mean NLL of the reference response tokens (teacher forced), minimised.</summary>
    public static readonly StudyMetric Nll = new("nll", higherIsBetter: false, needsDecoding: false, r => r.MeanNll);

    public static IReadOnlyList<StudyMetric> All { get; } = [Accuracy, Nll];

    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).ToList();

    readonly Func<EvaluationResult, double> read;

    StudyMetric(string name, bool higherIsBetter, bool needsDecoding, Func<EvaluationResult, double> read)
    {
        Name = name;
        HigherIsBetter = higherIsBetter;
        NeedsDecoding = needsDecoding;
        this.read = read;
    }

    public string Name { get; }

    public bool HigherIsBetter { get; }

    /// <summary>True when the value needs greedy decoding (the costly part of an evaluation).</summary>
    public bool NeedsDecoding { get; }

    /// <summary>"maximize" or "minimize", as `search status --json` says it.</summary>
    public string Direction => HigherIsBetter ? "maximize" : "minimize";

    public double Read(EvaluationResult result) => read(result);

    /// <summary>+1 when higher is better, else -1: multiplies a difference so that positive means better.</summary>
    public double Sign => HigherIsBetter ? 1 : -1;

    /// <summary>True when <paramref name="a"/> is strictly better than <paramref name="b"/>.</summary>
    public bool IsBetter(double a, double b) => Sign * (a - b) > 0;

    /// <exception cref="ArgumentException">No metric has that name; the message lists those that do.</exception>
    public static StudyMetric Parse(string name) =>
        All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"--metric '{name}' is unknown; choose one of {string.Join(", ", Names)}");

    public override string ToString() => Name;
}
