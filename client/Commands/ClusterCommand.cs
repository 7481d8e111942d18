using System.CommandLine;
using BeyondNll.Client.Cluster;
using BeyondNll.Grains;
using Orleans.Runtime;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll cluster</c>: the active silos, from Orleans' membership, and the devices of each, from
/// the device host grain that lives on that silo (keyed by the silo's parsable address).
/// </summary>
public static class ClusterCommand
{
    public sealed record DeviceJson(string Id, string Kind, bool Busy, string? Attempt);

    /// <summary>A silo; <c>error</c> says why its devices are missing (it may be going down as we ask).</summary>
    public sealed record SiloJson(string Address, string Status, string Name, string Host, IReadOnlyList<DeviceJson> Devices, string? Error);

    public sealed record ClusterJson(IReadOnlyList<SiloJson> Silos);

    public static Command Create()
    {
        var json = ClusterCommandLine.Json();
        return ClusterCommandLine.Create("cluster", "The silos of the cluster and their devices.", [json],
            (parse, grains, ct) => ShowAsync(grains, parse.GetValue(json), Console.Out, ct));
    }

    public static async Task<int> ShowAsync(IGrainFactory grains, bool json, TextWriter output, CancellationToken ct)
    {
        var hosts = await ClusterRetry.Query(() => grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true), ct);
        var silos = await Task.WhenAll(hosts.OrderBy(h => h.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(h => DescribeAsync(grains, h, ct)));
        if (json)
        {
            JsonOutput.Write(output, new ClusterJson(silos));
            return 0;
        }
        var table = TableLayout.For(new Table().AddColumns("silo", "status", "host", "devices"), output);
        foreach (var s in silos)
        {
            var devices = s.Error is not null ? $"[red]{Markup.Escape(s.Error)}[/]"
                : string.Join(TableLayout.IsCompact(output) ? ", " : "\n", s.Devices.Select(d => Markup.Escape($"{d.Id} ({d.Kind}) " + (d.Busy ? $"busy: {d.Attempt}" : "free"))));
            table.AddRow(Markup.Escape(s.Address), s.Status, Markup.Escape(s.Host), devices);
        }
        var console = ClusterCommandLine.AnsiFor(output);
        console.Write(table);
        var all = silos.SelectMany(s => s.Devices).ToList();
        console.WriteLine($"{silos.Length} silo(s), {all.Count} device(s), {all.Count(d => d.Busy)} busy");
        return 0;
    }

    static async Task<SiloJson> DescribeAsync(IGrainFactory grains, MembershipEntry entry, CancellationToken ct)
    {
        var address = entry.SiloAddress.ToParsableString();
        var silo = new SiloJson(address, entry.Status.ToString().ToLowerInvariant(), entry.SiloName ?? "", entry.HostName ?? "", [], null);
        try
        {
            var devices = await ClusterRetry.Query(() => grains.GetGrain<IDeviceHostGrain>(address).GetDevices(), ct);
            return silo with { Devices = devices.Select(d => new DeviceJson(d.Id, d.Kind, d.Busy, d.Attempt)).ToList() };
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return silo with { Error = e.Message };
        }
    }
}
