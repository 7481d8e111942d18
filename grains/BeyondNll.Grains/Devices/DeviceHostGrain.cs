using BeyondNll.Grains.Placement;
using BeyondNll.Grains.Trials;

namespace BeyondNll.Grains.Devices;

/// <summary>Answers for the devices of the silo it lives on (its key); see <see cref="DeviceSlots"/>.</summary>
[SiloBoundPlacement]
public sealed class DeviceHostGrain(DeviceSlots slots) : Grain, IDeviceHostGrain
{
    public Task<IReadOnlyList<DeviceView>> GetDevices() =>
        Task.FromResult<IReadOnlyList<DeviceView>>(slots.Snapshot()
            .Select(s => new DeviceView(s.Slot.Id, s.Slot.Kind, s.Attempt is not null, s.Attempt)).ToList());

    public Task<string?> TryReserve(string attemptKey, string workload) =>
        Task.FromResult(slots.TryReserve(attemptKey, workload, AttemptKey.Parse(attemptKey).Study)?.Id);

    public Task Release(string attemptKey)
    {
        slots.Release(attemptKey);
        return Task.CompletedTask;
    }
}
