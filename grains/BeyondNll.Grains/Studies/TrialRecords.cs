using BeyondNll.Studies;
using Orleans.Storage;

namespace BeyondNll.Grains.Studies;

/// <summary>
/// The trials of one study, each a record of its own in the cluster's grain storage (state "trial"
/// under the id bnll-trial/STUDY|N, <see cref="SeparateRecords{T}"/>), so that a change to one trial
/// writes that trial alone: what a write costs does not grow with the study.
/// </summary>
public sealed class TrialRecords(IGrainStorage storage, string study)
{
    readonly SeparateRecords<StudyTrial> records = new(storage, "bnll-trial", "trial");

    string KeyOf(int number) => $"{study}|{number}";

    /// <summary>
    /// The stored trials, numbered from 0: the <paramref name="counted"/> ones the study's record
    /// counts, and any written after those that it did not count yet (a write of the record that
    /// failed after the trials' own). Records up to <paramref name="atLeast"/> are read whether or not
    /// they exist, to learn their ETags (a record of an earlier version lists its trials inside it).
    /// </summary>
    /// <exception cref="InvalidDataException">A trial the record counts has no record of its own.</exception>
    public async Task<List<StudyTrial>> ReadAll(int counted, int atLeast)
    {
        var trials = new List<StudyTrial>();
        for (var first = 0; ; first += SeparateRecords<StudyTrial>.ReadBatch)
        {
            var numbers = Enumerable.Range(first, SeparateRecords<StudyTrial>.ReadBatch).ToList();
            var batch = await records.ReadMany(numbers.Select(KeyOf));
            foreach (var (number, trial) in numbers.Zip(batch))
            {
                if (trial is not null)
                {
                    trials.Add(trial);
                    continue;
                }
                if (number < counted) throw new InvalidDataException($"study {study}: trial {number} has no stored record");
                if (number >= atLeast) return trials;
            }
        }
    }

    /// <summary>Stores the trials given, all at once.</summary>
    public Task Write(IEnumerable<StudyTrial> trials) => Task.WhenAll(trials.Select(t => records.Write(KeyOf(t.Number), t)));
}
