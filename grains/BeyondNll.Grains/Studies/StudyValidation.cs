using System.Text.RegularExpressions;
using BeyondNll.Grains.Workloads;
using BeyondNll.Search.Pruners;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Grains.Studies;

/// <summary>
/// Everything about a study request that can be wrong, checked before anything is stored. Each
/// problem is an ArgumentException whose message names it; the console shows it as it is.
/// </summary>
public static partial class StudyValidation
{

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    /// <summary>The checks that need no files: names, numbers, the space and what it must express.</summary>
    public static SearchSpace CheckSettings(StudyRequest r)
    {
        if (!NamePattern().IsMatch(r.Name))
            throw new ArgumentException($"study name '{r.Name}' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        if (r.Trials <= 0) throw new ArgumentException($"--trials must be positive, got {r.Trials}");
        if (r.Parallel <= 0) throw new ArgumentException($"--parallel must be positive, got {r.Parallel}");
        if (r.Steps <= 0) throw new ArgumentException($"--steps must be positive, got {r.Steps}");
        if (r.BatchSize <= 0) throw new ArgumentException($"--batch-size must be positive, got {r.BatchSize}");
        if (r.MaxLength < 2) throw new ArgumentException($"--max-length must be at least 2, got {r.MaxLength}");
        if (r.Evaluations < 0) throw new ArgumentException($"--evaluations must not be negative, got {r.Evaluations}");
        if (r.Confirm < 0) throw new ArgumentException($"--confirm must not be negative, got {r.Confirm}");
        if (r.Confirm > 0 && r.ConfirmSeeds < 2)
            throw new ArgumentException($"--confirm-seeds must be at least 2 for a standard error, got {r.ConfirmSeeds}");
        if (!(r.LearningRate > 0)) throw new ArgumentException($"--lr must be positive, got {r.LearningRate}");
        if (!SamplerFactory.Names.Contains(r.Sampler))
            throw new ArgumentException($"unknown sampler '{r.Sampler}'; choose one of {string.Join(", ", SamplerFactory.Names)}");
        if (!PrunerFactory.Names.Contains(r.Pruner))
            throw new ArgumentException($"unknown pruner '{r.Pruner}'; choose one of {string.Join(", ", PrunerFactory.Names)}");
        if (!StudyMetrics.Names.Contains(r.Metric))
            throw new ArgumentException($"unknown metric '{r.Metric}'; choose one of {string.Join(", ", StudyMetrics.Names)}");
        WorkloadKind.Parse(r.Workload);
        AnswerFormat.Parse(r.AnswerFormat);
        TrialTuning.Of(r).Validate();

        SearchSpace space;
        try
        {
            space = SearchSpace.FromJson(r.SpaceJson);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidDataException)
        {
            throw new ArgumentException($"invalid search space: {e.Message}", e);
        }
        // The NLL baseline always runs, so the space must be able to express it.
        TrialParameters.ForObjective(space, Objective.Nll.Spec);
        foreach (var spec in r.Enqueue) TrialParameters.ForObjective(space, spec);
        return space;
    }

    /// <summary>The checks that read files: the data must exist and parse.</summary>
    public static void CheckData(StudyRequest r)
    {
        var map = new SftFieldMap(r.PromptKey, r.ResponseKey);
        try
        {
            SftDataReader.Read(r.TrainPath, map);
            SftDataReader.Read(r.ValPath, map);
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
}
