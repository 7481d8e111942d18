using BeyondNll.Training.Probe;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Tests.Probe;

public class CapabilityProbeTests
{
    [Fact]
    public void Summarises_token_probabilities()
    {
        var r = CapabilityProbe.Summarise([0.1, 0.2, 0.4, 0.8, 0.9]);
        Assert.Equal(0.48, r.MeanP, 12);
        Assert.Equal(0.4, r.MedianP, 12);
        Assert.Equal(0.2, r.Q1P, 12);
        Assert.Equal(0.8, r.Q3P, 12);
        Assert.Equal(0.4, r.ShareAboveHalf, 12);
        Assert.Equal(5, r.Tokens);
        Assert.Equal(CapabilityRegion.ModelIntermediate, r.Region);
        Assert.Equal("model-intermediate", r.RegionName);
    }

    [Theory]
    [InlineData(0.05, CapabilityRegion.ModelWeak)]
    [InlineData(0.29, CapabilityRegion.ModelWeak)]
    [InlineData(0.3, CapabilityRegion.ModelIntermediate)]
    [InlineData(0.6, CapabilityRegion.ModelStrong)]
    [InlineData(0.95, CapabilityRegion.ModelStrong)]
    public void Regions_follow_the_documented_cut_offs(double meanP, CapabilityRegion expected) =>
        Assert.Equal(expected, CapabilityProbe.RegionOf(meanP));

    [Fact]
    public void A_pretrained_backbone_probes_stronger_than_a_random_one_on_its_task()
    {
        var task = SyntheticTasks.Get("reverse");
        var (_, val) = SyntheticData.Generate(task, 10, noise: 0, seed: 9, valCount: 64);
        var tokenizer = new ByteTokenizer();
        var config = TestModels.Micro(maxPositions: 48);

        using var weak = SyntheticBackbone.Pretrain(new SyntheticBackboneOptions { Task = "reverse", PretrainSteps = 0, Config = config });
        using var strong = SyntheticBackbone.Pretrain(new SyntheticBackboneOptions { Task = "reverse", PretrainSteps = 150, Config = config, LearningRate = 3e-3 });

        var weakP = CapabilityProbe.Measure(weak, tokenizer, val, maxLength: 48);
        var strongP = CapabilityProbe.Measure(strong, tokenizer, val, maxLength: 48);
        Assert.Equal(CapabilityRegion.ModelWeak, weakP.Region);
        Assert.True(strongP.MeanP > weakP.MeanP + 0.05 && strongP.MeanP > 4 * weakP.MeanP, $"strong {strongP.MeanP} vs weak {weakP.MeanP}");
        Assert.Equal(weakP.Tokens, strongP.Tokens);
    }
}
