using BeyondNll.Grains;
using BeyondNll.Search.Importance;
using BeyondNll.Search.Spaces;
using BeyondNll.Search.Trials;

namespace BeyondNll.Studies;

/// <summary>
/// A study's parameter importance (<see cref="FanovaImportance"/>) from its status: the completed
/// search trials (confirmation re-runs repeat chosen configurations and would weigh them twice) with
/// their parameters read back through the study's space. The one place that turns a status into
/// importance, for `search status --json`, `search plot` and the web page alike.
/// </summary>
public static class StudyImportance
{
    /// <summary>Each assessed parameter's share (summing to 1), most important first; empty while too few trials completed.</summary>
    public static IReadOnlyDictionary<string, double> Of(StudyStatus status)
    {
        if (string.IsNullOrWhiteSpace(status.SpaceJson)) return new Dictionary<string, double>();
        var space = SearchSpace.FromJson(status.SpaceJson);
        var trials = status.Trials
            .Where(t => t.Role == TrialRoles.Search && t.State == TrialRunState.Completed && t.Value is not null)
            .Select(t => new TrialRecord(t.Number, TrialParameters.FromJson(space, t.ParamsJson), TrialState.Complete, t.Value))
            .ToList();
        return FanovaImportance.Evaluate(space, trials);
    }
}
