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
public sealed class DeviceSlots
{
    public static readonly TimeSpan ReservationLapse = TimeSpan.FromSeconds(60);

    readonly object gate = new();
    readonly Dictionary<string, Holder> holders = new();
    readonly TimeProvider clock;

    sealed record Holder(string Attempt, DateTimeOffset Since, bool Claimed);

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
            lock (gate) return Slots.Count == 0 ? 0 : (double)ActiveHolders().Count() / Slots.Count;
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

    /// <summary>Reserves a free slot that can run <paramref name="workloadKind"/>; null when none is free.</summary>
    public DeviceSlot? TryReserve(string attempt, string workloadKind)
    {
        lock (gate)
        {
            Expire();
            var held = holders.FirstOrDefault(h => h.Value.Attempt == attempt);
            if (held.Key is not null) return Slots.First(s => s.Id == held.Key);
            var free = Slots.FirstOrDefault(s => !holders.ContainsKey(s.Id) && CanRun(s, workloadKind));
            if (free is not null) holders[free.Id] = new Holder(attempt, clock.GetUtcNow(), Claimed: false);
            return free;
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

    public void Release(string attempt)
    {
        lock (gate)
        {
            foreach (var id in holders.Where(h => h.Value.Attempt == attempt).Select(h => h.Key).ToList())
                holders.Remove(id);
        }
    }

    public DeviceSlot? Find(string slotId) => Slots.FirstOrDefault(s => s.Id == slotId);

    static bool CanRun(DeviceSlot slot, string workloadKind) => workloadKind == "simulated" || slot.Kind != "simulated";

    IEnumerable<Holder> ActiveHolders() => holders.Values;

    void Expire()
    {
        var now = clock.GetUtcNow();
        foreach (var id in holders.Where(h => !h.Value.Claimed && now - h.Value.Since > ReservationLapse).Select(h => h.Key).ToList())
            holders.Remove(id);
    }

    /// <summary>
    /// The slots a device setting names: "auto" (every CUDA device TorchSharp sees, else one CPU
    /// slot), "cpu:N", "cuda" (all CUDA devices), "cuda:0,1" or "simulated:N".
    /// </summary>
    public static IReadOnlyList<DeviceSlot> Parse(string setting, int threadsPerSlot, Func<int> cudaDeviceCount)
    {
        var text = setting.Trim().ToLowerInvariant();
        if (text == "auto")
        {
            var cuda = cudaDeviceCount();
            return cuda > 0 ? CudaSlots(Enumerable.Range(0, cuda), threadsPerSlot) : CpuSlots("cpu", 1, threadsPerSlot);
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
            if (kind is "cpu" or "simulated" && int.TryParse(rest, out var n) && n > 0)
                return CpuSlots(kind, n, threadsPerSlot);
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
