using BeyondNll.Grains.Trials;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace BeyondNll.Grains.Devices;

/// <summary>
/// Finds a free device slot somewhere in the cluster for one attempt (a study's trial, a backbone's
/// probe): the silo named first if any (the one whose device just fell free, so a hand-over takes one
/// call), then the active silos in turn, so that work spreads out. One per grain that reserves.
/// </summary>
public sealed class DeviceFinder(IGrainFactory grains, IClusterMembershipService membership, ILogger logger)
{
    int rotation;

    /// <summary>Reserves a free slot for the attempt <paramref name="keyFor"/> names on a silo; null when every slot is busy.</summary>
    /// <param name="keyFor">The attempt's key on a given silo (the key places its grain there).</param>
    /// <param name="workloadKind">torch or simulated: which slots can run it.</param>
    /// <param name="first">A silo to ask before the others, by its address string.</param>
    public async Task<(AttemptKey Key, string Device)?> Reserve(Func<string, AttemptKey> keyFor, string workloadKind, string? first = null)
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString()).Order(StringComparer.Ordinal).ToList();
        if (silos.Count == 0) return null;
        var order = Enumerable.Range(0, silos.Count).Select(i => (rotation + i) % silos.Count).ToList();
        var preferred = first is null ? -1 : silos.IndexOf(first);
        if (preferred >= 0) order = [preferred, .. order.Where(i => i != preferred)];
        foreach (var index in order)
        {
            var key = keyFor(silos[index]);
            try
            {
                var device = await grains.GetGrain<IDeviceHostGrain>(key.Silo).TryReserve(key.ToString(), workloadKind);
                if (device is null) continue;
                if (index != preferred) rotation = (index + 1) % silos.Count;
                return (key, device);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Silo {Silo} did not answer a reservation", key.Silo);
            }
        }
        return null;
    }

    /// <summary>Frees a reservation that will not be used; a silo that does not answer lets it lapse by itself.</summary>
    public async Task Release(AttemptKey key)
    {
        try
        {
            await grains.GetGrain<IDeviceHostGrain>(key.Silo).Release(key.ToString());
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Releasing {Attempt} failed; the reservation lapses by itself", key);
        }
    }
}
