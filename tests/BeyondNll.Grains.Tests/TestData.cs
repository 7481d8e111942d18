using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Synthetic;

namespace BeyondNll.Grains.Tests;

/// <summary>A temporary folder with a small synthetic backbone and data set, removed on dispose.</summary>
public sealed class TestData : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "bnll-tests", Guid.NewGuid().ToString("N"));
    public string Backbone => Path.Combine(Root, "backbone");
    public string Train => Path.Combine(Root, "data", "train.jsonl");
    public string Val => Path.Combine(Root, "data", "val.jsonl");
    public string ClusterData => Path.Combine(Root, "cluster");

    public static readonly DecoderConfig Micro = new(128, 64, 2, 4, 4, 128, 32);

    public TestData(int pretrainSteps = 0)
    {
        Directory.CreateDirectory(Path.Combine(Root, "data"));
        var (train, val) = SyntheticData.Generate(SyntheticTasks.Get("addition"), 200, noise: 0, seed: 1, valCount: 16);
        SftDataWriter.WriteJsonl(Train, train);
        SftDataWriter.WriteJsonl(Val, val);
        SyntheticBackbone.Create(Backbone, new SyntheticBackboneOptions { Task = "addition", PretrainSteps = pretrainSteps, Config = Micro });
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
