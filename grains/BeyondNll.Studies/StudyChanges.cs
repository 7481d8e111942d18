namespace BeyondNll.Studies;

/// <summary>What to store after a change: the study's record, if it changed, and each trial that did.</summary>
public sealed record StudyChanges(bool Record, IReadOnlyList<StudyTrial> Trials)
{
    public bool Any => Record || Trials.Count > 0;
}

/// <summary>
/// What a <see cref="StudyModel"/> changed and its host has not stored yet: the record, and trials by
/// number. Taken to be stored; handed back when the store could not take them, so that they go out
/// with the next save instead of being lost.
/// </summary>
sealed class UnstoredChanges
{
    readonly SortedSet<int> trials = [];
    bool record;

    public void Record() => record = true;

    public void Trial(int number) => trials.Add(number);

    /// <summary>Everything not stored yet, as <paramref name="all"/> holds it now; nothing is left after.</summary>
    public StudyChanges Take(IReadOnlyList<StudyTrial> all)
    {
        var changes = new StudyChanges(record, trials.Select(n => all[n]).ToList());
        record = false;
        trials.Clear();
        return changes;
    }

    /// <summary>Changes taken that could not be stored: the next <see cref="Take"/> returns them again.</summary>
    public void Return(StudyChanges changes)
    {
        record |= changes.Record;
        foreach (var trial in changes.Trials) trials.Add(trial.Number);
    }
}
