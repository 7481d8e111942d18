namespace BeyondNll.Studies.Factorial;

/// <summary>
/// One training run of the factorial: an objective at one rate of the ladder, fine-tuned on a cell's
/// backbone and data. <paramref name="Value"/> is the metric on validation (what picks an objective's
/// best rate), <paramref name="TestValue"/> on the held-out test set (what is reported); both null for a
/// run that did not complete.
/// </summary>
public sealed record FactorialRun(string Objective, double LearningRate, double? Value, double? TestValue, int Steps, string State);

/// <summary>
/// One cell of the factorial: a backbone (task, pretraining level, seed) fine-tuned on one data condition
/// (clean, label noise, harmless variation) with every objective at every rate, as one grid study.
/// </summary>
/// <param name="Condition">How the training data disagree with the task: <c>clean</c>, <c>noise:S</c> or <c>variation:S</c>.</param>
/// <param name="Level">The backbone's pretraining steps.</param>
/// <param name="Seed">The data's, the backbone's and the training's seed.</param>
/// <param name="MeanP">The capability probe: mean p of the training responses' tokens under the backbone.</param>
/// <param name="HeldOutMeanP">The same on the clean validation responses (the condition's noise does not pull it down).</param>
/// <param name="AccuracyBefore">The backbone's test accuracy before fine-tuning: where the cell starts against the ceiling of 1.</param>
/// <param name="Study">The grid study that trained the cell's runs.</param>
public sealed record FactorialCell(string Task, string Condition, int Level, int Seed, double MeanP, double? HeldOutMeanP,
    double AccuracyBefore, string Study, IReadOnlyList<FactorialRun> Runs);

/// <summary>
/// The product's own search on a cell's backbone and data, run as a user would (`search start` with its
/// defaults, confirmation on): its answer and what it cost, to compare with the factorial's.
/// </summary>
/// <param name="Winner">The answer's objective (the confirmed winner when confirmed).</param>
/// <param name="LearningRate">The answer's rate.</param>
/// <param name="Steps">Training steps the search spent, its confirmation's included (a pruned or failed attempt counts the steps it ran).</param>
/// <param name="Args">The flags the search was started with besides its data (empty: `search start`'s defaults), so that searches of other settings are told apart.</param>
/// <param name="TestValue">The answer's value on the cell's test split (a mean over its confirmation seeds); null when not measured (records written before it was).</param>
public sealed record FactorialSearch(string Task, string Condition, int Level, int Seed, string Study, string Winner, double LearningRate,
    bool Confirmed, bool BeyondNoise, double? Gain, int Trials, int Steps, string Args = "", double? TestValue = null);

/// <summary>What a factorial measured: its settings, every cell and every search. What <c>bnll factorial</c> writes.</summary>
public sealed record FactorialResults(FactorialSettings Settings, IReadOnlyList<FactorialCell> Cells, IReadOnlyList<FactorialSearch> Searches);

/// <summary>The factorial's design: tasks × conditions × levels × seeds, each cell every objective at every rate.</summary>
public sealed record FactorialSettings(IReadOnlyList<string> Tasks, IReadOnlyList<string> Conditions, IReadOnlyList<int> Levels,
    IReadOnlyList<int> Seeds, IReadOnlyList<string> Objectives, IReadOnlyList<double> LearningRates, int Steps, int Examples,
    int ValExamples, int TestExamples, double TaskShare);
