using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Grains;
using BeyondNll.Studies;

namespace BeyondNll.Cluster.Tests;

/// <summary>`bnll continuum --json` and `--from`: every study's point kept, each saying whether it is confirmed and whether it counts.</summary>
public sealed class ContinuumJsonTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("bnll-continuum-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static ContinuumEntry Point(string study, int minute, bool confirmed, int pairs) => new()
    {
        Backbone = "strong", Dataset = "cipher/train", Metric = "accuracy", Study = study, Winner = confirmed ? "power:1" : "nll",
        PaperKey = confirmed ? "p" : "original", WinnerLearningRate = 1e-4, Gain = confirmed ? 0.04 : -0.01, Confirmed = confirmed, Pairs = pairs,
        Probe = new ProbeView(0.8, 0.8, 0.9, 1000, "model-strong", 64, 0.85), Value = 0.9, TestValue = 0.88, Split = "test",
        Recorded = new DateTimeOffset(2026, 1, 1, 0, minute, 0, TimeSpan.Zero),
    };

    string Write(string name, params ContinuumEntry[] entries)
    {
        var file = Path.Combine(folder, name);
        File.WriteAllText(file, JsonSerializer.Serialize(new ContinuumCommand.ContinuumJson(entries.Select(e => ContinuumCommand.ToJson(e)).ToList(), []),
            JsonOutput.Options));
        return file;
    }

    [Fact]
    public void Every_studys_point_is_kept_and_the_confirmed_one_counts_over_a_later_unconfirmed_one()
    {
        var confirmed = Point("long", 1, confirmed: true, pairs: 3);
        var quick = Point("quick", 2, confirmed: false, pairs: 0);
        var all = ContinuumCommand.ReadFiles([Write("a.json", confirmed), Write("b.json", quick)]);
        Assert.Equal(["long", "quick"], all.Select(e => e.Study).Order());
        var counted = StudyEvidence.Counted(all);
        Assert.Equal("long", Assert.Single(counted).Study);

        var json = JsonLine.Of(ContinuumCommand.ToJson(all.Single(e => e.Study == "quick"), counts: false));
        Assert.Equal((false, false), (json.GetProperty("confirmed").GetBoolean(), json.GetProperty("counts").GetBoolean()));
        // Read back from JSON, a point keeps what it was measured with.
        var point = all.Single(e => e.Study == "long");
        Assert.Equal((true, 3, 0.88, "test", 64, 0.85), (point.Confirmed, point.Pairs, point.TestValue, point.Split, point.Probe!.MaxLength, point.Probe.HeldOutMeanP));
        Assert.Equal(1e-4, JsonLine.Of(ContinuumCommand.ToJson(point)).GetProperty("winner_lr").GetDouble());
    }
}
