namespace BeyondNll.Grains.Devices;

/// <summary>One place a trial can train: a CUDA device, a CPU slot, or a simulated slot.</summary>
/// <param name="Id">cuda:N, cpu:N or simulated:N.</param>
/// <param name="Kind">cuda, cpu or simulated: simulated slots run only the simulated workload.</param>
public sealed record DeviceSlot(string Id, string Kind, int Threads);

/// <summary>
/// The devices of this silo and who holds each. A study reserves a slot for an attempt before it
/// starts the attempt's trial grain here; the grain claims it when it starts and frees it when its
/// training ends. A reservation never claimed (its study failed in between) lapses after a while,
/// so a slot cannot leak.
/// </summary>
/// <remarks>
/// Fairness between studies: a study that asked and found nothing free waits in line, and a slot
/// that falls free goes to the longest-waiting study, not to whichever asks first. Without this, a
/// study whose own trial just ended would grab the freed slot at once, every time, and starve the
/// others, which only ask on their next round.
/// </remarks>
public sealed class DeviceSlots
{
    public static readonly TimeSpan ReservationLapse = TimeSpan.FromSeconds(60);

    readonly object gate = new();
    readonly Dictionary<string, Holder> holders = new();
    readonly Dictionary<string, Waiter> waiting = new();
    readonly TimeProvider clock;

    /// <summary>A waiter that stops asking for this long has left the line.</summary>
    static readonly TimeSpan WaiterLapse = TimeSpan.FromSeconds(5);

    sealed record Holder(string Attempt, DateTimeOffset Since, bool Claimed);
    sealed record Waiter(DateTimeOffset Since, DateTimeOffset LastAsked, string WorkloadKind);

    public DeviceSlots(IReadOnlyList<DeviceSlot> slots, TimeProvider? clock = null)
    {
        Slots = slots;
        this.clock = clock ?? TimeProvider.System;
    }

    public IReadOnlyList<DeviceSlot> Slots { get; }

    /// <summary>Share of slots busy now, for the busy-share metric.</summary>
    public double BusyShare
    {
        get
        {
            lock (gate)
            {
                Expire();
                return Slots.Count == 0 ? 0 : (double)holders.Count / Slots.Count;
            }
        }
    }

    public IReadOnlyList<(DeviceSlot Slot, string? Attempt)> Snapshot()
    {
        lock (gate)
        {
            Expire();
            return Slots.Select(s => (s, holders.TryGetValue(s.Id, out var h) ? h.Attempt : null)).ToList();
        }
    }

    /// <summary>
    /// Reserves a free slot that can run <paramref name="workloadKind"/> for an attempt of
    /// <paramref name="requester"/> (its study); null when none is free, or when the free ones are
    /// owed to studies that have waited longer.
    /// </summary>
    public DeviceSlot? TryReserve(string attempt, string workloadKind, string requester)
    {
        lock (gate)
        {
            Expire();
            var now = clock.GetUtcNow();
            var held = holders.FirstOrDefault(h => h.Value.Attempt == attempt);
            if (held.Key is not null) return Slots.First(s => s.Id == held.Key);

            var free = Slots.Where(s => !holders.ContainsKey(s.Id) && CanRun(s, workloadKind)).ToList();
            var since = waiting.TryGetValue(requester, out var me) ? me.Since : now;
            // Only those who could use one of these slots are ahead in the line.
            var ahead = waiting.Count(w => w.Key != requester && w.Value.Since <= since && free.Any(s => CanRun(s, w.Value.WorkloadKind)));
            if (free.Count <= ahead)
            {
                waiting[requester] = new Waiter(since, now, workloadKind);
                return null;
            }
            waiting.Remove(requester);
            holders[free[0].Id] = new Holder(attempt, now, Claimed: false);
            return free[0];
        }
    }

    /// <summary>The attempt takes the slot it reserved; false when the reservation is not (or no longer) its.</summary>
    public bool Claim(string attempt, string slotId)
    {
        lock (gate)
        {
            if (!holders.TryGetValue(slotId, out var h) || h.Attempt != attempt) return false;
            holders[slotId] = h with { Claimed = true };
            return true;
        }
    }

    /// <summary>Frees the attempt's slot; returns the study first in line for it, if any, so it can be told at once.</summary>
    public string? Release(string attempt)
    {
        lock (gate)
        {
            var freed = holders.Where(h => h.Value.Attempt == attempt).Select(h => h.Key).ToList();
            foreach (var id in freed) holders.Remove(id);
            if (freed.Count == 0) return null;
            Expire();
            return waiting.OrderBy(w => w.Value.Since).Select(w => w.Key).FirstOrDefault();
        }
    }

    public DeviceSlot? Find(string slotId) => Slots.FirstOrDefault(s => s.Id == slotId);

    static bool CanRun(DeviceSlot slot, string workloadKind) => workloadKind == "simulated" || slot.Kind != "simulated";

    void Expire()
    {
        var now = clock.GetUtcNow();
        foreach (var gone in waiting.Where(w => now - w.Value.LastAsked > WaiterLapse).Select(w => w.Key).ToList())
            waiting.Remove(gone);
        foreach (var id in holders.Where(h => !h.Value.Claimed && now - h.Value.Since > ReservationLapse).Select(h => h.Key).ToList())
            holders.Remove(id);
    }

    /// <summary>
    /// The slots a device setting names: "auto" (every CUDA device TorchSharp sees; without one, a
    /// CPU slot per <paramref name="threadsPerSlot"/> (at least 1) of the <paramref name="cpuCores"/>,
    /// so the slots use the cores without oversubscribing them), "cpu:N", "cuda" (all CUDA devices),
    /// "cuda:0,1" or "simulated:N".
    /// </summary>
    public static IReadOnlyList<DeviceSlot> Parse(string setting, int threadsPerSlot, Func<int> cudaDeviceCount, int cpuCores = 1)
    {
        var text = setting.Trim().ToLowerInvariant();
        if (text == "auto")
        {
            var cuda = cudaDeviceCount();
            return cuda > 0 ? CudaSlots(Enumerable.Range(0, cuda), threadsPerSlot)
                : CpuSlots("cpu", Math.Max(1, cpuCores / Math.Max(1, threadsPerSlot)), threadsPerSlot);
        }
        if (text == "cuda")
        {
            var cuda = cudaDeviceCount();
            if (cuda == 0) throw new ArgumentException("devices 'cuda': no CUDA device is visible (is this a CUDA build of TorchSharp?)");
            return CudaSlots(Enumerable.Range(0, cuda), threadsPerSlot);
        }
        var colon = text.IndexOf(':');
        if (colon > 0)
        {
            var kind = text[..colon];
            var rest = text[(colon + 1)..];
            if (kind is "cpu" or "simulated" && int.TryParse(rest, out var n))
            {
                if (n < 1) throw new ArgumentException($"devices '{setting}': a silo needs at least one {kind} slot");
                return CpuSlots(kind, n, threadsPerSlot);
            }
            if (kind == "cuda")
            {
                var ids = rest.Split(',').Select(s => int.TryParse(s, out var i) && i >= 0 ? i : -1).ToList();
                var visible = cudaDeviceCount();
                if (ids.All(i => i >= 0 && i < visible)) return CudaSlots(ids, threadsPerSlot);
                throw new ArgumentException($"devices '{setting}': CUDA devices 0..{visible - 1} are visible");
            }
        }
        throw new ArgumentException($"devices '{setting}' is not understood; use auto, cpu:N, cuda, cuda:0,1 or simulated:N");
    }

    static List<DeviceSlot> CpuSlots(string kind, int count, int threads) =>
        Enumerable.Range(0, count).Select(i => new DeviceSlot($"{kind}:{i}", kind, threads)).ToList();

    static List<DeviceSlot> CudaSlots(IEnumerable<int> ids, int threads) =>
        ids.Select(i => new DeviceSlot($"cuda:{i}", "cuda", threads)).ToList();
}
