using System.Globalization;
using System.Text.Json.Nodes;
using BeyondNll.Grains;
using BeyondNll.Search.Confirmation;
using BeyondNll.Search.Trials;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Studies;

/// <summary>
/// The confirmation phase of a study: after the search, the best NLL configuration and the
/// <c>Confirm</c> best other configurations (a trial's recipe but for its seed: the objective, the
/// learning rate and any other field the space sampled), chosen on validation, are re-run as new
/// trials on the same fresh training seeds, and their values — on the held-out test data when the
/// study has some — are compared seed by seed by <see cref="ConfirmationAnalysis"/>.
/// </summary>
public static class StudyConfirmation
{
    /// <summary>The name of a configuration: its objective and learning rate, then any other field the space sampled.</summary>
    public static string NameOf(StudyTrial t)
    {
        var others = JsonNode.Parse(t.ParamsJson) is JsonObject json
            ? json.Where(p => !TrialParameters.ObjectiveParameters.Contains(p.Key) && p.Key != "lr").Select(p => $", {p.Key} {p.Value?.ToJsonString()}")
            : [];
        return NameOf(t.Recipe.Objective, t.Recipe.LearningRate) + string.Concat(others);
    }

    public static string NameOf(string objective, double learningRate) =>
        $"{objective} @ lr {learningRate.ToString("G3", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The confirmation trials to add (numbered from the study's trial count), none when no NLL
    /// trial completed. Seed s of every configuration is the NLL baseline's recipe seed + s, s = 1 ... <paramref name="seeds"/>:
    /// every configuration runs on the same seeds (even one whose search trial had a seed of its own), the pairs of the paired test.
    /// </summary>
    public static IReadOnlyList<StudyTrial> Plan(IReadOnlyList<StudyTrial> trials, int confirm, int seeds, StudyDirection direction)
    {
        var searched = trials.Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null).ToList();
        var nll = searched.Where(t => IsNll(t.Recipe.Objective)).Select(t => (NameOf(t), t.Value!.Value));
        var others = searched.Where(t => !IsNll(t.Recipe.Objective)).Select(t => (NameOf(t), t.Value!.Value));
        var baseline = ConfirmationAnalysis.SelectTop(nll, 1, direction);
        if (baseline.Count == 0) return []; // no NLL value to compare with: nothing to confirm against
        var chosen = baseline.Concat(ConfirmationAnalysis.SelectTop(others, confirm, direction)).ToList();

        var firstSeed = searched.First(t => NameOf(t) == baseline[0]).Recipe.Seed;
        var added = new List<StudyTrial>();
        foreach (var name in chosen)
        {
            var template = searched.First(t => NameOf(t) == name);
            for (var seed = 1; seed <= seeds; seed++)
            {
                added.Add(new StudyTrial
                {
                    Number = trials.Count + added.Count,
                    Params = new Dictionary<string, double>(template.Params),
                    ParamsJson = template.ParamsJson,
                    Recipe = template.Recipe with { Seed = firstSeed + seed },
                    State = TrialRunState.Pending,
                    Role = TrialRoles.Confirm,
                });
            }
        }
        return added;
    }

    /// <summary>The summary once every confirmation trial has ended; null before, or when the baseline has no value.</summary>
    public static ConfirmationView? Summarise(StudyModel study)
    {
        var confirm = study.Trials.Where(t => t.Role == TrialRoles.Confirm).ToList();
        if (confirm.Count == 0 || confirm.Any(t => t.State is TrialRunState.Pending or TrialRunState.Running)) return null;
        // Configurations in the order they were planned: the baseline first. A trial counts when it has a value on the study's split.
        var groups = confirm.GroupBy(NameOf).Select(g => (Name: g.Key, First: g.First(),
            Scored: g.Where(t => t.State == TrialRunState.Completed && study.Scored(t) is not null).ToList())).ToList();
        var baseline = groups[0];
        if (baseline.Scored.Count == 0) return null;
        var candidates = groups.Skip(1).Where(g => g.Scored.Count > 0).ToList();
        var result = ConfirmationAnalysis.Analyse(Configuration(study, baseline.Name, baseline.Scored),
            candidates.Select(c => Configuration(study, c.Name, c.Scored)).ToList(), study.Direction);

        var views = new[] { baseline }.Concat(candidates).Select((g, i) =>
        {
            var summary = i == 0 ? result.Baseline.Summary : result.Candidates.FirstOrDefault(c => c.Name == g.Name)?.Summary
                ?? SampleSummary.Of(g.Scored.Select(t => study.Scored(t)!.Value).ToList());
            var validation = g.Scored.Where(t => t.Value is not null).Select(t => t.Value!.Value).ToList();
            return new ConfirmedConfigurationView(g.Name, g.First.Recipe.Objective, g.First.Recipe.LearningRate, i == 0 ? "baseline" : "candidate",
                g.Scored.Select(t => study.Scored(t)!.Value).ToList(), summary.Mean, double.IsNaN(summary.StandardError) ? null : summary.StandardError,
                g.Scored.Select(t => t.Recipe.Seed).ToList(), validation.Count > 0 ? validation.Average() : null);
        }).ToList();
        var comparisons = result.Candidates.Select(c =>
        {
            var view = views.First(v => v.Name == c.Name);
            return new ChallengerComparisonView(c.Name, view.Objective, view.LearningRate, c.Pairs, c.Gain, c.GainStandardError, c.T,
                c.DegreesOfFreedom, c.PValue, c.PAdjusted, Interval(c), c.BeyondNoise);
        }).ToList();
        var winner = views.First(v => v.Name == result.Winner);
        var best = result.ChallengerComparison;
        return new ConfirmationView
        {
            Configurations = views, Seeds = study.Request.ConfirmSeeds, Challenger = result.Challenger, Winner = result.Winner,
            WinnerObjective = winner.Objective, WinnerLearningRate = winner.LearningRate, Gain = best?.Gain,
            GainStandardError = best?.GainStandardError, T = best?.T, DegreesOfFreedom = best?.DegreesOfFreedom, PValue = best?.PValue,
            BeyondNoise = best?.BeyondNoise ?? false, Test = ConfirmationResult.Test, Alpha = result.Alpha,
            PAdjusted = best?.PAdjusted, Ci95 = best is null ? null : Interval(best), Split = study.Split, Pairs = best?.Pairs ?? 0,
            Comparisons = comparisons,
        };
    }

    static ConfirmedConfiguration Configuration(StudyModel study, string name, IEnumerable<StudyTrial> trials) =>
        new(name, trials.Select(t => new SeededValue(t.Recipe.Seed, study.Scored(t)!.Value)).ToList());

    static IReadOnlyList<double>? Interval(CandidateComparison c) => c.CiLow is { } low && c.CiHigh is { } high ? [low, high] : null;

    static bool IsNll(string objective) => objective == Objective.Nll.Spec;
}
