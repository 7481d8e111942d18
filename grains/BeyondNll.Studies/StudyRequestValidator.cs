using System.Text.RegularExpressions;
using BeyondNll.Grains;
using BeyondNll.Search.Pruners;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Studies;

/// <summary>
/// The one set of rules a study request must keep, checked before anything is stored: by the
/// console for an early message (before it connects) and by the study grain for the decision (other
/// clients send requests too). Each problem is an <see cref="ArgumentException"/> whose message names
/// the flag or the thing that is wrong; the console shows it as it is, with exit code 2.
/// </summary>
public static partial class StudyRequestValidator
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    /// <summary>True for a name a study may have: 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    public static bool IsStudyName(string name) => NamePattern().IsMatch(name);

    /// <summary>The checks that need no files: the name, the numbers, the recipe, the space and what it must express.</summary>
    /// <returns>The search space, parsed.</returns>
    public static SearchSpace CheckSettings(StudyRequest r)
    {
        if (!IsStudyName(r.Name))
            throw new ArgumentException($"study name '{r.Name}' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        if (string.IsNullOrWhiteSpace(r.Backbone)) throw new ArgumentException("--backbone must name a registered backbone");
        AtLeast("--trials", r.Trials, 1);
        AtLeast("--parallel", r.Parallel, 1);
        AtLeast("--evaluations", r.Evaluations, 0);
        AtLeast("--confirm", r.Confirm, 0);
        if (r.Confirm > 0) AtLeast("--confirm-seeds", r.ConfirmSeeds, 2); // two seeds at least, for a standard error
        AtLeast("--keep-models", r.KeepModels, 1); // the best trial's model is always kept
        if (!(r.TrialTimeLimit >= 0) || !double.IsFinite(r.TrialTimeLimit))
            throw new ArgumentException($"--trial-time-limit must be 0 (none) or a positive number of seconds, got {r.TrialTimeLimit}");
        var recipe = r.Recipe ?? throw new ArgumentException("the request has no training recipe");
        recipe.Validate();
        if (!SamplerFactory.Names.Contains(r.Sampler))
            throw new ArgumentException($"--sampler '{r.Sampler}' is unknown; choose one of {string.Join(", ", SamplerFactory.Names)}");
        Named("--pruner", () => PrunerFactory.Create(r.Pruner, 1));
        StudyMetric.Parse(r.Metric);
        Named("--workload", () => WorkloadKind.Parse(r.Workload));
        Named("--answer", () => AnswerFormat.Parse(r.AnswerFormat));

        SearchSpace space;
        try
        {
            space = SearchSpace.FromJson(r.SpaceJson);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidDataException or ArgumentException)
        {
            throw new ArgumentException($"invalid search space: {e.Message}", e);
        }
        TrialParameters.CheckReadable(space, recipe);
        // The NLL baseline always runs, so the space must be able to express it.
        TrialParameters.ForObjective(space, Objective.Nll.Spec);
        foreach (var spec in r.Enqueue) Named("--enqueue", () => TrialParameters.ForObjective(space, spec));
        CheckProtocol(r, space);
        CheckTestPath(r);
        return space;
    }

    /// <summary>The rate ladder, the start-up and the budget: every enqueued trial must be one the space can run, and fit the budget.</summary>
    static void CheckProtocol(StudyRequest r, SearchSpace space)
    {
        AtLeast("--startup", r.Startup, 0);
        StudyProtocol.Check(r.LearningRates, space);
        var protocol = StudyProtocol.For(StudyProtocol.Complete(r, space), space);
        // What the sampler checks when a trial starts, checked now: each enqueued trial is in the space and active there.
        var sampler = new RandomSampler(protocol.Space, Search.Trials.StudyDirection.Maximize, 0);
        foreach (var values in protocol.Enqueued) Named("--lr-ladder", () => sampler.Enqueue(values));
        var objectives = protocol.Enqueued.Count / protocol.Ladder.Count;
        if (protocol.Enqueued.Count > r.Trials)
            throw new ArgumentException($"--trials {r.Trials} is fewer than the {protocol.Enqueued.Count} trials the protocol enqueues " +
                $"(nll{(objectives > 1 ? $" and {objectives - 1} --enqueue objective(s)" : "")}, each at the {protocol.Ladder.Count} rate(s) of the ladder): " +
                $"raise --trials to at least {protocol.Enqueued.Count}, or give fewer rates (--lr-ladder) or guesses");
    }

    /// <summary>Held-out test data must be a file of its own: scoring on the data that selected would be no test.</summary>
    static void CheckTestPath(StudyRequest r)
    {
        if (r.TestPath is not { } test) return;
        if (string.IsNullOrWhiteSpace(test)) throw new ArgumentException("--test must name a file of held-out test data");
        var full = Path.GetFullPath(test);
        if (full == Path.GetFullPath(r.ValPath))
            throw new ArgumentException("--test is the --val file: the test data must be held out from the validation data that selects the trials");
        if (full == Path.GetFullPath(r.TrainPath))
            throw new ArgumentException("--test is the --train file: the test data must be held out from training");
    }

    /// <summary>The checks that read files: the data (training, validation, test) must exist and parse.</summary>
    public static void CheckData(StudyRequest r)
    {
        var map = new SftFieldMap(r.PromptKey, r.ResponseKey);
        try
        {
            SftDataReader.Read(r.TrainPath, map);
            SftDataReader.Read(r.ValPath, map);
            if (r.TestPath is { } test) SftDataReader.Read(test, map);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or FormatException)
        {
            throw new ArgumentException(e.Message, e);
        }
    }

    /// <summary>A short name of the data set a study trains on: its folder and file name.</summary>
    public static string DatasetName(string trainPath)
    {
        var full = Path.GetFullPath(trainPath);
        var folder = Path.GetFileName(Path.GetDirectoryName(full)) ?? "";
        var file = Path.GetFileNameWithoutExtension(full);
        return string.IsNullOrEmpty(folder) ? file : $"{folder}/{file}";
    }

    static void AtLeast(string flag, int value, int least)
    {
        if (value < least) throw new ArgumentException($"{flag} must be at least {least}, got {value}");
    }

    /// <summary>Runs a check whose own message does not name the flag, and names it.</summary>
    static void Named(string flag, Action check)
    {
        try
        {
            check();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"{flag}: {e.Message}", e);
        }
    }
}
