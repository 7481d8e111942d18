using BeyondNll.Grains.Devices;
using BeyondNll.Grains.Placement;
using BeyondNll.Grains.Trials;
using BeyondNll.Studies;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace BeyondNll.Grains.Backbones;

/// <summary>
/// Runs capability probes where trials run: it waits in the device line like a study does, and the
/// forward pass runs on the reserved slot's silo (<see cref="DeviceProbeGrain"/>), off every grain
/// scheduler and within that slot's threads.
/// </summary>
[StatelessWorker]
public sealed class ProbeGrain(IClusterMembershipService membership, ILogger<ProbeGrain> logger) : Grain, IProbeGrain
{
    static readonly TimeSpan DeviceWait = TimeSpan.FromMinutes(10);
    static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    public async Task<ProbeView> Measure(string backbonePath, ProbeRequest request)
    {
        var finder = new DeviceFinder(GrainFactory, membership, logger);
        // Its own place in each silo's line of waiters; '~' keeps it apart from study names.
        var requester = $"probe~{Guid.NewGuid():N}";
        var deadline = DateTimeOffset.UtcNow + DeviceWait;
        while (true)
        {
            if (await finder.Reserve(silo => new AttemptKey(requester, 0, 1, silo), "torch") is var (key, device))
                return await GrainFactory.GetGrain<IDeviceProbeGrain>(key.ToString()).Measure(device, backbonePath, request);
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"no device slot of the cluster fell free for the probe in {DeviceWait.TotalMinutes:F0} minutes");
            await Task.Delay(RetryEvery);
        }
    }
}

/// <summary>One probe on one reserved device slot of the silo in its key (silo-bound, like a trial attempt).</summary>
[Alias("bnll.IDeviceProbeGrain")]
public interface IDeviceProbeGrain : IGrainWithStringKey
{
    [Alias("Measure"), ResponseTimeout("01:00:00")] Task<ProbeView> Measure(string device, string backbonePath, ProbeRequest request);
}

[SiloBoundPlacement]
public sealed class DeviceProbeGrain(DeviceSlots devices, ILogger<DeviceProbeGrain> logger) : Grain, IDeviceProbeGrain
{
    string Key => this.GetPrimaryKeyString();

    public async Task<ProbeView> Measure(string device, string backbonePath, ProbeRequest request)
    {
        if (devices.Find(device) is not { } slot || !devices.Claim(Key, device))
        {
            devices.Release(Key);
            throw new InvalidOperationException($"device {device} is not reserved for {Key}");
        }
        try
        {
            logger.LogInformation("Probe of {Backbone} on {Data} runs on {Device}", backbonePath, request.Dataset, device);
            return await Task.Factory.StartNew(() => BackboneProbe.Measure(backbonePath, request, slot.Threads),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
        {
            throw new ArgumentException($"the probe of {backbonePath} on {request.DataPath} failed: {e.Message}", e);
        }
        finally
        {
            // A study waiting for a device hears at once rather than on its next round.
            if (devices.Release(Key) is { } waiter && StudyRequestValidator.IsStudyName(waiter)) _ = GrainFactory.GetGrain<IStudyGrain>(waiter).Tick();
            DeactivateOnIdle();
        }
    }
}
