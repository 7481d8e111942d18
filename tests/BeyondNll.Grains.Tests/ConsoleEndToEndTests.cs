using System.Text.Json;
using BeyondNll.Client.Commands;

namespace BeyondNll.Grains.Tests;

/// <summary>The `bnll` cluster commands against a real two-silo cluster, output parsed as a script would.</summary>
public class ConsoleEndToEndTests
{
    static JsonElement Json(StringWriter output) => JsonDocument.Parse(output.ToString().Trim().Split('\n')[^1]).RootElement;

    [Fact]
    public async Task A_search_driven_by_the_console_commands_reports_consistently()
    {
        using var data = new TestData();
        await using var cluster = await TestCluster.Start(data.ClusterData, "simulated:2", "simulated:1");
        var grains = cluster.Grains;
        var none = CancellationToken.None;

        Assert.Equal(0, await BackboneCommand.AddAsync(grains, "micro", data.Backbone, new StringWriter()));
        var backbones = new StringWriter();
        await BackboneCommand.ListAsync(grains, json: true, backbones, none);
        Assert.Equal(data.Backbone, Json(backbones).GetProperty("backbones")[0].GetProperty("path").GetString());

        var request = SearchStartCommand.Resolve(Studies.Request(data, "e2e", "simulated:0.2", trials: 5, parallel: 3) with { SpaceJson = "", SpaceName = "default" });
        Assert.Equal(0, await SearchStartCommand.StartAsync(grains, request, wait: true, new StringWriter(), new StringWriter(), none));

        var statusOut = new StringWriter();
        Assert.Equal(0, await SearchCommand.StatusAsync(grains, "e2e", json: true, statusOut, none));
        var status = Json(statusOut);
        Assert.Equal("e2e", status.GetProperty("study").GetString());
        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.Equal("micro", status.GetProperty("backbone").GetString());
        var trials = status.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(5, trials.Count);
        foreach (var t in trials)
        {
            foreach (var field in new[] { "number", "objective", "params", "state", "value", "attempts", "silo", "device" })
                Assert.True(t.TryGetProperty(field, out _), $"trial lacks {field}");
            Assert.Equal(JsonValueKind.Object, t.GetProperty("params").ValueKind);
        }
        Assert.Equal("nll", status.GetProperty("baseline").GetProperty("objective").GetString());
        var best = status.GetProperty("best");

        // A dry run (simulated workload) never becomes the backbone's answer: `best` has nothing for it.
        var bestOut = new StringWriter();
        await BestCommand.BestAsync(grains, "micro", json: true, bestOut, none);
        Assert.Equal(0, Json(bestOut).GetProperty("results").GetArrayLength());
        var answer = status.GetProperty("answer");
        Assert.Equal(best.GetProperty("objective").GetString(), answer.GetProperty("objective").GetString());
        Assert.False(answer.GetProperty("confirmed").GetBoolean());

        var exported = ExportCommand.Export(await grains.GetGrain<IStudyGrain>("e2e").GetStatus(), "verl");
        Assert.Equal($"trainer.objective_trans={Client.Export.VerlFlags.ObjectiveKey(Training.Objectives.Objective.Parse(best.GetProperty("objective").GetString()!))}",
            exported.Flag);
        Assert.Equal($"optim.lr={answer.GetProperty("lr").GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture).ToLowerInvariant()}",
            exported.Flags[1]);
        Assert.Contains(ExportCommand.Notes(exported), n => n.Contains("dry run"));

        var clusterOut = new StringWriter();
        await ClusterCommand.ShowAsync(grains, json: true, clusterOut, none);
        var silos = Json(clusterOut).GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal(2, silos.Count);
        Assert.Equal(3, silos.Sum(s => s.GetProperty("devices").GetArrayLength()));
        Assert.All(silos, s => Assert.All(s.GetProperty("devices").EnumerateArray(), d => Assert.False(d.GetProperty("busy").GetBoolean())));

        var listOut = new StringWriter();
        await SearchCommand.ListAsync(grains, json: true, listOut, none);
        Assert.Equal("completed", Json(listOut).GetProperty("studies")[0].GetProperty("state").GetString());

        // A study the registry names but storage lacks (its first save failed) is left out with a warning, not the whole list.
        Assert.True(await grains.GetGrain<IStudyRegistryGrain>(0).TryAdd("ghost"));
        var (withGhost, warnings) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await SearchCommand.ListAsync(grains, json: true, withGhost, none, warnings));
        Assert.Equal(["e2e"], Json(withGhost).GetProperty("studies").EnumerateArray().Select(s => s.GetProperty("study").GetString()));
        Assert.Equal("warning: study ghost is registered but has no stored record (its first save failed?); left out", warnings.ToString().Trim());

        // A grain's refusal reaches the console as ArgumentException: the console exits 2 with its message.
        var e = await Assert.ThrowsAsync<ArgumentException>(() => SearchStartCommand.StartAsync(grains, request, false, new StringWriter(), new StringWriter(), none));
        Assert.Contains("exists already", e.Message);
    }
}
