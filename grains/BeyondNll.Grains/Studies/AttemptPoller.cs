using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace BeyondNll.Grains.Studies;

/// <summary>What a poll found out about one running attempt: its progress and outcome, or why it is lost.</summary>
public readonly record struct AttemptPoll(TrialProgress? Progress, TrialOutcome? Outcome, string? Lost);

/// <summary>
/// Asks a running attempt's trial grain how it stands, the study's safety net for reports that did
/// not arrive: its progress, its outcome once it ended, or that its silo is gone. An attempt that does
/// not answer in time is left for the next poll.
/// </summary>
public static class AttemptPoller
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    public static async Task<AttemptPoll> Poll(IGrainFactory grains, IClusterMembershipService membership, string attemptKey, string siloText, ILogger logger)
    {
        SiloAddress silo;
        try
        {
            silo = SiloAddress.FromParsableString(siloText);
        }
        catch (FormatException)
        {
            return new AttemptPoll(null, null, $"'{siloText}' names no silo");
        }
        if (!membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) || member.Status is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            return new AttemptPoll(null, null, $"silo {siloText} is gone");
        try
        {
            var grain = grains.GetGrain<ITrialGrain>(attemptKey);
            var progress = await grain.GetProgress().WaitAsync(Patience);
            var outcome = progress.State is not (TrialRunState.Running or TrialRunState.Pending) ? await grain.GetOutcome() : null;
            return new AttemptPoll(progress, outcome, null);
        }
        catch (SiloUnavailableException)
        {
            return new AttemptPoll(null, null, $"silo {siloText} is unavailable");
        }
        catch (TimeoutException e)
        {
            logger.LogDebug(e, "Attempt {Attempt} did not answer in time", attemptKey);
            return default;
        }
    }
}
