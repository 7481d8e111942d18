using BeyondNll.Training.Backbones;
using BeyondNll.Training.Synthetic;

namespace BeyondNll.Training.Tests.Synthetic;

/// <summary>The factorial's graded backbones: snapshots of one pretraining run, each a backbone folder that says its level.</summary>
public class SyntheticBackboneLevelsTests
{
    [Fact]
    public void Levels_are_snapshots_of_one_run_and_the_last_is_the_run_itself()
    {
        var root = Directory.CreateTempSubdirectory("bnll-levels").FullName;
        try
        {
            var options = new SyntheticBackboneOptions { Task = "cipher", Seed = 3, Config = TestModels.Micro(maxPositions: 48), BatchSize = 8 };
            string Folder(int level) => Path.Combine(root, $"p{level}");
            SyntheticBackbone.CreateLevels(options, [0, 2, 5], Folder);

            // The random initialisation, a snapshot along the way, and the whole run, bit for bit as if made alone.
            using var init = SyntheticBackbone.Pretrain(options with { PretrainSteps = 0 });
            using var whole = SyntheticBackbone.Pretrain(options with { PretrainSteps = 5 });
            Assert.Equal(Weights(init), Weights(Folder(0)));
            Assert.Equal(Weights(whole), Weights(Folder(5)));
            Assert.NotEqual(Weights(Folder(0)), Weights(Folder(2)));
            Assert.NotEqual(Weights(Folder(2)), Weights(Folder(5)));
            foreach (var level in new[] { 0, 2, 5 })
            {
                using var backbone = Backbone.Load(Folder(level));
                Assert.Equal(new SyntheticOrigin("cipher", level, 3, 1.0), backbone.Info.Synthetic);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 0, 0 })]
    [InlineData(new[] { -1, 3 })]
    public void Levels_must_be_distinct_and_not_negative(int[] levels) =>
        Assert.Throws<ArgumentException>(() => SyntheticBackbone.CreateLevels(new SyntheticBackboneOptions { Task = "cipher" }, levels, _ => "unused"));

    static float[] Weights(string folder)
    {
        using var backbone = Backbone.Load(folder);
        return Weights(backbone.Model);
    }

    static float[] Weights(BeyondNll.Training.Model.DecoderLM model) =>
        model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
}
