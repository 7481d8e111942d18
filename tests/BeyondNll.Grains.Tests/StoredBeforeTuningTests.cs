using BeyondNll.Grains.Workloads;
using BeyondNll.Training.Trainer;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace BeyondNll.Grains.Tests;

/// <summary>
/// A study request or trial spec stored (or sent by an older silo) before the real-backbone settings
/// existed has none of their ids: it must come back with the defaults, float32 and all weights.
/// The "before" types below carry the old ids only, as the old records did.
/// </summary>
public class StoredBeforeTuningTests
{
    [GenerateSerializer, Alias("bnll.tests.StudyRequestBeforeTuning")]
    public sealed record StudyRequestBeforeTuning
    {
        [Id(0)] public string Name { get; init; } = "";
        [Id(1)] public string Backbone { get; init; } = "";
        [Id(2)] public string TrainPath { get; init; } = "";
        [Id(3)] public string ValPath { get; init; } = "";
        [Id(4)] public string SpaceJson { get; init; } = "";
        [Id(6)] public int Trials { get; init; }
        [Id(23)] public int ConfirmSeeds { get; init; }
    }

    [GenerateSerializer, Alias("bnll.tests.TrialSpecBeforeTuning")]
    public sealed record TrialSpecBeforeTuning
    {
        [Id(0)] public string Study { get; init; } = "";
        [Id(3)] public string Objective { get; init; } = "";
        [Id(9)] public string Workload { get; init; } = "";
        [Id(10)] public string Metric { get; init; } = "";
        [Id(12)] public FileFingerprint Backbone { get; init; } = new("b", "");
        [Id(13)] public FileFingerprint Train { get; init; } = new("t", "");
        [Id(14)] public FileFingerprint Val { get; init; } = new("v", "");
        [Id(19)] public string Device { get; init; } = "";
    }

    static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(StudyRequest).Assembly).AddAssembly(typeof(StoredBeforeTuningTests).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void An_old_study_request_loads_with_the_default_settings()
    {
        var bytes = Serializer.SerializeToArray(new StudyRequestBeforeTuning
        {
            Name = "old", Backbone = "tiny", TrainPath = "/d/train.jsonl", ValPath = "/d/val.jsonl", SpaceJson = "{}", Trials = 7, ConfirmSeeds = 4,
        });
        var loaded = Serializer.Deserialize<StudyRequest>(bytes)!;

        Assert.Equal(("old", "tiny", 7, 4), (loaded.Name, loaded.Backbone, loaded.Trials, loaded.ConfirmSeeds));
        Assert.Equal(("float32", false, 0, 16.0, "all-linear"), (loaded.Dtype, loaded.GradientCheckpointing, loaded.LoraRank, loaded.LoraAlpha, loaded.LoraTargets));
        Assert.Equal(TuningSettings.Default, TrialTuning.Of(loaded));
    }

    [Fact]
    public void An_old_trial_spec_loads_with_the_default_settings()
    {
        var bytes = Serializer.SerializeToArray(new TrialSpecBeforeTuning { Study = "old", Objective = "power:10", Workload = "torch", Metric = "nll", Device = "cpu:0" });
        var loaded = Serializer.Deserialize<TrialSpec>(bytes)!;

        Assert.Equal(("old", "power:10", "cpu:0"), (loaded.Study, loaded.Objective, loaded.Device));
        Assert.Equal(TuningSettings.Default, TrialTuning.Of(loaded));
    }
}
