using BeyondNll.Grains.Placement;

namespace BeyondNll.Grains.Trials;

/// <summary>
/// The key of one attempt's trial grain: study|trial|attempt|silo. The silo part places the grain
/// (see <see cref="SiloBoundPlacement"/>); study names never hold the separator.
/// </summary>
public readonly record struct AttemptKey(string Study, int Trial, int Attempt, string Silo)
{
    public override string ToString() =>
        string.Join(SiloBoundPlacement.Separator, Study, Trial.ToString(), Attempt.ToString(), Silo);

    public static AttemptKey Parse(string key)
    {
        var parts = key.Split(SiloBoundPlacement.Separator);
        if (parts.Length != 4 || !int.TryParse(parts[1], out var trial) || !int.TryParse(parts[2], out var attempt))
            throw new FormatException($"'{key}' is not an attempt key (study|trial|attempt|silo)");
        return new AttemptKey(parts[0], trial, attempt, parts[3]);
    }
}
