using BeyondNll.Grains.Devices;
using Microsoft.Extensions.Time.Testing;

namespace BeyondNll.Grains.Tests;

public class DeviceSlotsTests
{
    static DeviceSlots Two(FakeTimeProvider? clock = null) =>
        new(DeviceSlots.Parse("cpu:2", 1, () => 0), clock);

    [Fact]
    public void Reserves_free_slots_until_all_are_taken_and_frees_them_on_release()
    {
        var slots = Two();
        Assert.Equal("cpu:0", slots.TryReserve("a", "torch", "s")!.Id);
        Assert.Equal("cpu:1", slots.TryReserve("b", "torch", "s")!.Id);
        Assert.Null(slots.TryReserve("c", "torch", "s"));
        Assert.Equal(1.0, slots.BusyShare);
        slots.Release("a");
        Assert.Equal("cpu:0", slots.TryReserve("c", "torch", "s")!.Id);
    }

    [Fact]
    public void Reserving_again_for_the_same_attempt_returns_its_slot()
    {
        var slots = Two();
        var first = slots.TryReserve("a", "torch", "s");
        Assert.Same(first, slots.TryReserve("a", "torch", "s"));
        Assert.Equal(0.5, slots.BusyShare);
    }

    [Fact]
    public void An_unclaimed_reservation_lapses_but_a_claimed_one_stays()
    {
        var clock = new FakeTimeProvider();
        var slots = Two(clock);
        slots.TryReserve("a", "torch", "s");
        slots.TryReserve("b", "torch", "s");
        Assert.True(slots.Claim("b", "cpu:1"));
        clock.Advance(DeviceSlots.ReservationLapse + TimeSpan.FromSeconds(1));
        Assert.Equal(0.5, slots.BusyShare);
        Assert.Equal("cpu:0", slots.TryReserve("c", "torch", "s")!.Id);
        Assert.False(slots.Claim("a", "cpu:0"));
    }

    [Fact]
    public void A_freed_slot_goes_to_the_study_that_waited_not_to_the_one_that_asks_first()
    {
        var slots = Two();
        slots.TryReserve("a1", "torch", "a");
        slots.TryReserve("a2", "torch", "a");
        Assert.Null(slots.TryReserve("b1", "torch", "b")); // b now waits in line

        slots.Release("a1");
        Assert.Null(slots.TryReserve("a3", "torch", "a")); // a's own trial ended, but b waited first
        Assert.Equal("cpu:0", slots.TryReserve("b1", "torch", "b")!.Id);
    }

    [Fact]
    public void Simulated_slots_run_only_the_simulated_workload()
    {
        var slots = new DeviceSlots(DeviceSlots.Parse("simulated:1", 1, () => 0));
        Assert.Null(slots.TryReserve("a", "torch", "s"));
        Assert.NotNull(slots.TryReserve("b", "simulated", "t"));
    }

    [Theory]
    [InlineData("auto", 0, "cpu:0")]
    [InlineData("auto", 2, "cuda:0,cuda:1")]
    [InlineData("cpu:3", 0, "cpu:0,cpu:1,cpu:2")]
    [InlineData("cuda:1", 2, "cuda:1")]
    [InlineData("simulated:2", 0, "simulated:0,simulated:1")]
    public void Parses_device_settings(string setting, int cudaDevices, string expected) =>
        Assert.Equal(expected, string.Join(",", DeviceSlots.Parse(setting, 1, () => cudaDevices).Select(s => s.Id)));

    /// <summary>
    /// A silo's cores (--cores, else the machine's) are shared among its CPU slots without
    /// oversubscribing: `auto` on a host without CUDA makes a slot per core (or per --threads-per-slot
    /// of them); cpu:N divides the cores among N slots; a CUDA slot gets 2 threads.
    /// </summary>
    [Theory]
    [InlineData("auto", 0, 0, 4, "cpu:0×1 cpu:1×1 cpu:2×1 cpu:3×1")]
    [InlineData("auto", 2, 0, 4, "cpu:0×2 cpu:1×2")]
    [InlineData("auto", 3, 0, 2, "cpu:0×3")]
    [InlineData("cpu:2", 0, 0, 4, "cpu:0×2 cpu:1×2")]
    [InlineData("cpu:3", 0, 0, 2, "cpu:0×1 cpu:1×1 cpu:2×1")]
    [InlineData("auto", 0, 2, 4, "cuda:0×2 cuda:1×2")]
    public void A_silo_shares_its_cores_among_its_slots(string devices, int threadsPerSlot, int cudaDevices, int cores, string expected)
    {
        var options = new BeyondNll.Silo.Hosting.ClusterSiloOptions { Devices = devices, ThreadsPerSlot = threadsPerSlot, Cores = cores };
        var slots = BeyondNll.Silo.Hosting.SiloBuilderExtensions.Devices(options, () => cudaDevices);
        Assert.Equal(expected, string.Join(" ", slots.Select(s => $"{s.Id}×{s.Threads}")));
    }

    [Theory]
    [InlineData("cpu:0")]
    [InlineData("gpu:1")]
    [InlineData("cuda")]
    [InlineData("cuda:3")]
    public void Refuses_bad_device_settings(string setting) =>
        Assert.Throws<ArgumentException>(() => DeviceSlots.Parse(setting, 1, () => 2 - (setting == "cuda" ? 2 : 0)));
}
